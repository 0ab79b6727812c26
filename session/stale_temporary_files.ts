/**
 * Cleaning up after crashes: the temporary files of atomic writes that a crashed process left
 * in a directory are removed once they are a minute old (until then another process sharing
 * the directory may still be writing them).
 *
 * @example
 * ```ts
 * import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { StaleTemporaryFiles } from "./stale_temporary_files.ts";
 *
 * const directory = await mkdtemp(join(tmpdir(), "stale-"));
 * const leftover = join(directory, ".abc.wwrsess.0123456789abcdef.tmp");
 * await writeFile(leftover, "{");
 * const hourAgo = new Date(Date.now() - 3_600_000);
 * await utimes(leftover, hourAgo, hourAgo);
 * await new StaleTemporaryFiles(directory, Date.now).remove(await readdir(directory));
 * console.assert((await readdir(directory)).length === 0);
 * await rm(directory, { recursive: true });
 * ```
 * @module
 */

import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isTemporaryFileName } from "./atomic_file.ts";

/** Temporary files older than this are left over from a crash, and removed. */
const staleTemporaryMs = 60_000;

/**
 * The stale temporary files of one directory. Files seen too young to remove are looked at
 * again by the first {@link StaleTemporaryFiles.recheck} after they turn a minute old: without
 * it, a restart within a minute of a crash kept the crash's files for good.
 *
 * @example
 * ```ts
 * import { tmpdir } from "node:os";
 * import { StaleTemporaryFiles } from "./stale_temporary_files.ts";
 * const stale = new StaleTemporaryFiles(tmpdir(), Date.now);
 * await stale.remove([]); // nothing seen: nothing to recheck
 * await stale.recheck();
 * ```
 */
export class StaleTemporaryFiles {
  readonly #directory: string;
  readonly #clock: () => number;
  /** When the temporary files last seen too young to remove turn a minute old. */
  #recheckAt: number | undefined;

  /** Watches `directory` (a resolved path); `clock` gives milliseconds since the epoch. */
  constructor(directory: string, clock: () => number) {
    this.#directory = directory;
    this.#clock = clock;
  }

  /**
   * Removes the temporary files among `names` (entries of the directory) that are older than a
   * minute, and notes when the younger ones will be.
   */
  async remove(names: readonly string[]): Promise<void> {
    const now = this.#clock();
    let recheckAt: number | undefined;
    for (const name of names) {
      if (!isTemporaryFileName(name)) continue;
      const path = join(this.#directory, name);
      try {
        const modified = (await stat(path)).mtimeMs;
        if (now - modified > staleTemporaryMs) await unlink(path);
        else recheckAt = Math.min(recheckAt ?? Infinity, modified + staleTemporaryMs + 1);
      } catch {
        // Gone already, or renamed by a writer that was still running: nothing to clean.
      }
    }
    this.#recheckAt = recheckAt;
  }

  /** Removes the temporary files that were too young at the last look, once they are not. */
  async recheck(): Promise<void> {
    const at = this.#recheckAt;
    if (at === undefined || this.#clock() < at) return;
    this.#recheckAt = undefined;
    const names = await readdir(this.#directory).catch(() => []);
    await this.remove(names);
  }
}
