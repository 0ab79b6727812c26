/**
 * Reading a stored session for a lookup, where a corrupt file is no session: it is moved aside
 * (kept for the operator, never read again) and reported once. Internal to the file session
 * manager.
 *
 * @example
 * ```ts
 * import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readStoredSession } from "./stored_session_file.ts";
 * const directory = await mkdtemp(join(tmpdir(), "webwire-stored-"));
 * await writeFile(join(directory, "k.wwrsess"), "not JSON");
 * const lines: string[] = [];
 * const logger = { warn: () => {}, error: (line: string) => void lines.push(line) };
 * console.assert((await readStoredSession(join(directory, "k.wwrsess"), logger)) === null);
 * console.assert((await readdir(directory)).join() === "k.wwrsess.corrupt" && lines.length === 1);
 * await rm(directory, { recursive: true });
 * ```
 * @module
 */

import { rename } from "node:fs/promises";
import type { Logger } from "../protocol/logger.ts";
import { errorCode } from "./atomic_file.ts";
import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
import { parseSessionFile, type SessionFile } from "./session_file_format.ts";
import { readSessionText } from "./session_file_text.ts";

/** What a corrupt session file's name gets when it is moved aside. */
export const corruptFileSuffix = ".corrupt";

/**
 * The session stored at `path`, or `null` when there is no file, or when it is corrupt or not
 * a regular file: then it is renamed to `path` + `.corrupt` and the
 * {@link CorruptSessionFileError} logged on `logger` (with the rename's failure, if it fails).
 *
 * @throws what reading the file throws, but `ENOENT`.
 * @example
 * ```ts
 * import { readStoredSession } from "./stored_session_file.ts";
 * console.assert((await readStoredSession("/no/such/k.wwrsess", console)) === null);
 * ```
 */
export async function readStoredSession(
  path: string,
  logger: Logger,
): Promise<SessionFile | null> {
  try {
    return parseSessionFile(await readSessionText(path), path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    if (!(error instanceof CorruptSessionFileError)) throw error;
    await setAside(error, logger);
    return null;
  }
}

/** Moves the corrupt file aside and logs it: its next lookup finds no file, and logs nothing. */
async function setAside(corrupt: CorruptSessionFileError, logger: Logger): Promise<void> {
  const aside = corrupt.path + corruptFileSuffix;
  let failure: unknown;
  try {
    await rename(corrupt.path, aside);
  } catch (error) {
    failure = error;
  }
  try {
    if (failure === undefined) {
      logger.error(`session lookup: moved a corrupt session file aside to ${aside}`, corrupt);
    } else {
      logger.error(
        "session lookup: a corrupt session file could not be moved aside",
        corrupt,
        failure,
      );
    }
  } catch {
    // A logger that throws must not turn "not found" into a failed restore.
  }
}
