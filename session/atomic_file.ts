/**
 * Files written atomically: the text goes to a temporary file beside the target (named
 * `.<name>.<random hex>.tmp`) that is then renamed over it, so a reader never sees a partly
 * written file; optionally synced to disk (file, then directory). Plus removal that does not
 * mind a file already gone, and a check that one is there. Uses `node:fs/promises` (Deno, Bun and Node).
 *
 * @example
 * ```ts
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { removeFileIfPresent, writeFileAtomically } from "./atomic_file.ts";
 *
 * const directory = await mkdtemp(join(tmpdir(), "atomic-"));
 * const path = join(directory, "greeting.json");
 * await writeFileAtomically(directory, path, '{"hello":"world"}', { durable: true });
 * console.assert((await readFile(path, "utf8")) === '{"hello":"world"}');
 * await removeFileIfPresent(path);
 * await removeFileIfPresent(path); // gone already: fine
 * await rm(directory, { recursive: true });
 * ```
 * @module
 */

import { mkdir, open, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { placeWithoutReplacing } from "./exclusive_place.ts";
import { errorCode } from "./fs_error_code.ts";

export { errorCode };

/**
 * Writes `text` to `path` in `directory` through a temporary file renamed over it (mode
 * 0o600). With `durable`, the file is synced before the rename and the directory after, so the
 * write survives a power loss once this resolves. With `exclusive`, a file already at `path` is
 * kept and the write fails with `EEXIST` (see {@link placeWithoutReplacing}).
 *
 * @example
 * ```ts
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileAtomically } from "./atomic_file.ts";
 *
 * const directory = await mkdtemp(join(tmpdir(), "atomic-"));
 * const path = join(directory, "count.txt");
 * await writeFileAtomically(directory, path, "1", { durable: false });
 * await writeFileAtomically(directory, path, "2", { durable: false });
 * console.assert((await readFile(path, "utf8")) === "2");
 * try {
 *   await writeFileAtomically(directory, path, "3", { durable: false, exclusive: true });
 * } catch (error) {
 *   console.assert((error as { code?: string }).code === "EEXIST");
 * }
 * console.assert((await readFile(path, "utf8")) === "2");
 * await rm(directory, { recursive: true });
 * ```
 */
export async function writeFileAtomically(
  directory: string,
  path: string,
  text: string,
  options: { durable: boolean; exclusive?: boolean },
): Promise<void> {
  const temporary = join(directory, `.${basename(path)}.${randomHex()}.tmp`);
  try {
    if (options.durable) await writeSynced(temporary, text);
    else await writeFile(temporary, text, { mode: 0o600, flag: "wx" });
    if (options.exclusive === true) await placeWithoutReplacing(temporary, path);
    else await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  if (options.durable) await syncDirectory(directory);
}

/**
 * Whether a directory entry is a temporary file of {@link writeFileAtomically}: one that is
 * still being written, or that a crashed process left behind.
 *
 * @example
 * ```ts
 * import { isTemporaryFileName } from "./atomic_file.ts";
 * console.assert(isTemporaryFileName(".abc.wwrsess.0123456789abcdef.tmp"));
 * console.assert(!isTemporaryFileName("abc.wwrsess"));
 * console.assert(!isTemporaryFileName(".someone-elses.tmp"));
 * ```
 */
export function isTemporaryFileName(name: string): boolean {
  // Only the names this module makes: other files of a shared directory are not ours to remove.
  return temporaryFileName.test(name);
}

/**
 * Makes renames and removals in the directory durable (`fsync` of the directory).
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { syncDirectory } from "./atomic_file.ts";
 * await syncDirectory(tmpdir());
 * ```
 */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Makes `path` and its missing parents (mode 0o700). With `durable`, each new directory's
 * entry is synced too: from the parent of the first one made (where it can be opened) down to
 * `path`, so that a crash cannot lose a directory whose files were synced.
 *
 * @example
 * ```ts
 * import { mkdtemp, rm, stat } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { makeDirectory } from "./atomic_file.ts";
 * const base = await mkdtemp(join(tmpdir(), "dirs-"));
 * await makeDirectory(join(base, "a", "b"), true);
 * console.assert((await stat(join(base, "a", "b"))).isDirectory());
 * await rm(base, { recursive: true });
 * ```
 */
export async function makeDirectory(path: string, durable: boolean): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: 0o700 });
  if (!durable || first === undefined) return; // made by no one now: synced when it was made
  const made: string[] = [];
  for (let at = path; at !== first && at !== dirname(at); at = dirname(at)) made.push(at);
  try {
    await syncDirectory(dirname(first));
  } catch {
    // Best effort: a parent this process may write into but not read (a drop folder, mode
    // 0733) cannot be opened to sync; the directories it made itself can.
  }
  for (const directory of [first, ...made.reverse()]) await syncDirectory(directory);
}

/**
 * Removes a file; one that is gone already (or whose directory is) is fine, other failures are
 * thrown. Resolves to whether there was a file to remove.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { removeFileIfPresent } from "./atomic_file.ts";
 * const path = join(tmpdir(), "no-such-file-" + crypto.randomUUID());
 * console.assert((await removeFileIfPresent(path)) === false);
 * ```
 */
export async function removeFileIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
    return false;
  }
}

/**
 * Whether a file (or anything else) is at `path`; other failures than `ENOENT` are thrown.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { fileExists } from "./atomic_file.ts";
 * console.assert(await fileExists(tmpdir()));
 * console.assert(!await fileExists(tmpdir() + "/no-such-file-" + crypto.randomUUID()));
 * ```
 */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
    return false;
  }
}

/** Writes a new file (mode 0o600) and syncs its contents to disk before closing it. */
async function writeSynced(path: string, text: string): Promise<void> {
  const file = await open(path, "wx", 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** `.<name>.<16 hex digits>.tmp`, as {@link writeFileAtomically} names them. */
const temporaryFileName = /^\..+\.[0-9a-f]{16}\.tmp$/;

function randomHex(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
