/**
 * Putting a finished temporary file at a path without replacing a file already there: a hard
 * link, which no other writer can overtake. Internal to the file session manager.
 *
 * @example
 * ```ts
 * import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { placeWithoutReplacing } from "./exclusive_place.ts";
 * const directory = await mkdtemp(join(tmpdir(), "webwire-place-"));
 * await writeFile(join(directory, "new.tmp"), "mine");
 * await placeWithoutReplacing(join(directory, "new.tmp"), join(directory, "k.wwrsess"));
 * console.assert((await readFile(join(directory, "k.wwrsess"), "utf8")) === "mine");
 * await rm(directory, { recursive: true });
 * ```
 * @module
 */

import { link, lstat, rename, unlink } from "node:fs/promises";
import { errorCode } from "./fs_error_code.ts";

/**
 * What `link` fails with on a file system without hard links (FAT and exFAT, some network shares
 * and FUSE mounts).
 */
const noHardLinks = new Set<unknown>(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/**
 * Moves the file `temporary` to `path` unless a file is there: then it fails with an error whose
 * `code` is `EEXIST`, and both files stay. On a file system without hard links it checks that
 * `path` is free and renames: exclusive against the writes of this process that are queued
 * behind it (the file session manager queues each key's), not against another process. A
 * temporary name that cannot be removed once its file is in place is left for the sweep of stale
 * temporary files.
 *
 * @param linkFile makes the hard link (`link` of `node:fs/promises`; a test gives another).
 * @throws what linking, checking or renaming throws, and `EEXIST` when `path` is taken.
 * @example
 * ```ts
 * import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { placeWithoutReplacing } from "./exclusive_place.ts";
 * const directory = await mkdtemp(join(tmpdir(), "webwire-place-"));
 * await writeFile(join(directory, "k.wwrsess"), "theirs");
 * await writeFile(join(directory, "new.tmp"), "mine");
 * try {
 *   await placeWithoutReplacing(join(directory, "new.tmp"), join(directory, "k.wwrsess"));
 * } catch (error) {
 *   console.assert((error as { code?: string }).code === "EEXIST");
 * }
 * console.assert((await readFile(join(directory, "k.wwrsess"), "utf8")) === "theirs");
 * await rm(directory, { recursive: true });
 * ```
 */
export async function placeWithoutReplacing(
  temporary: string,
  path: string,
  linkFile: (existing: string, created: string) => Promise<void> = link,
): Promise<void> {
  try {
    await linkFile(temporary, path);
  } catch (error) {
    if (!noHardLinks.has(errorCode(error))) throw error;
    if (await isPresent(path)) throw taken(path);
    return await rename(temporary, path);
  }
  await unlink(temporary).catch(() => {});
}

async function isPresent(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
}

function taken(path: string): Error {
  return Object.assign(new Error(`EEXIST: file already exists, ${path}`), { code: "EEXIST" });
}
