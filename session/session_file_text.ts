/**
 * Reading a session file's text without waiting on what is not a file. Internal to the file
 * session manager.
 *
 * @module
 */

import { readFile, stat } from "node:fs/promises";
import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";

/**
 * The text of a session file. Anything but a regular file (a FIFO, whose read would wait for a
 * writer for good, holding the key's queue and every later sweep; a device; a directory) is
 * not a session file.
 *
 * @throws {CorruptSessionFileError} for anything but a regular file; what `stat` and
 *   `readFile` throw (`ENOENT` for a file that is gone).
 * @example
 * ```ts
 * import { mkdtemp, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readSessionText } from "./session_file_text.ts";
 * const directory = await mkdtemp(join(tmpdir(), "webwire-text-"));
 * await writeFile(join(directory, "a.wwrsess"), "{}");
 * console.assert((await readSessionText(join(directory, "a.wwrsess"))) === "{}");
 * const refused = await readSessionText(directory).then(() => false, () => true);
 * console.assert(refused); // a directory is no session file
 * ```
 */
export async function readSessionText(path: string): Promise<string> {
  if (!(await stat(path)).isFile()) {
    throw new CorruptSessionFileError(path, "not a regular file");
  }
  return await readFile(path, "utf8");
}
