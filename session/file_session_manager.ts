/**
 * A session manager that keeps one file per session, in the format of the reference server's
 * default session manager, so that a Go server's session files work with ours and ours with it
 * (one server process at a time on a directory). Uses
 * `node:fs/promises` and `node:path` (Deno, Bun and Node).
 *
 * @example
 * ```ts
 * import { FileSessionManager } from "./file_session_manager.ts";
 * const manager = new FileSessionManager({ directory: "./sessions" });
 * console.assert(manager.directory === "./sessions");
 * ```
 * @module
 */

import { readdir, stat, utimes } from "node:fs/promises";
import { resolve } from "node:path";
import { Timestamp } from "../protocol/timestamp.ts";
import {
  errorCode,
  fileExists,
  makeDirectory,
  removeFileIfPresent,
  syncDirectory,
  writeFileAtomically,
} from "./atomic_file.ts";
import { PerKeyQueue } from "./per_key_queue.ts";
import { isDefaultSessionKey } from "./session_key.ts";
import { isExpired } from "./session_expiry_rule.ts";
import { formatSessionFile, parseSessionFile, type SessionFile } from "./session_file_format.ts";
import { readSessionText } from "./session_file_text.ts";
import { sessionFilePath, sessionKeysOf } from "./session_file_path.ts";
import type {
  Session,
  SessionExpiry,
  SessionLookupResult,
  SessionManager,
} from "./session_manager.ts";
import { StaleTemporaryFiles } from "./stale_temporary_files.ts";
import type { FileSessionManagerOptions } from "./file_session_manager_options.ts";
import type { Logger } from "../protocol/logger.ts";
import { readStoredSession } from "./stored_session_file.ts";
import { SessionKeyTakenError } from "./session_key_taken_error.ts";

export type { FileSessionManagerOptions };

/** Session files a sweep looks at: 1 000, or a quarter of a larger directory. */
const sweepBatch = 1000, sweepPasses = 4;

/**
 * Stores each session in `<directory>/<key>.wwrsess` as `{"c": creation, "l": lastLookup,
 * "i": info}` (times in RFC 3339 with nanoseconds, `"i"` is `null` without info), the format of
 * the reference's default session manager: files written by either server are read by the
 * other.
 *
 * - Keys come from clients (restore requests) and are untrusted: one that fails `isValidKey`
 *   (default {@link isDefaultSessionKey}) or is not a plain file name is not found, before any
 *   file system access, so no key can name a path outside the directory.
 * - A lookup returns the stored values and records now as the last lookup, like the
 *   reference: the result's `lastLookup` is the time of the lookup before.
 * - Every write goes to a temporary file in the directory that is then renamed over the
 *   session file (a new session's is hard-linked in place instead, so that it never replaces
 *   another session's file), so a reader never sees a partly written file. Operations on one
 *   key are queued within this manager, so concurrent lookups each see a whole file and a
 *   close is never undone by a lookup finishing after it. Several processes sharing a directory get
 *   whole files but no such ordering (a logout in one can be undone by a lookup in another):
 *   use it from one server process at a time, `RedisSessionManager` for several.
 * - A corrupt file, or one that is not a regular file (a FIFO, a directory: never read, nor
 *   waited for), is no session: its lookup moves it aside to `<key>.wwrsess.corrupt` (for the
 *   operator to look at; never read again), logs a {@link CorruptSessionFileError} on the
 *   `logger` once, and resolves to `null`, so the client's restore is refused as not found at
 *   once. Other file system failures are thrown as they come, except in a sweep, which skips
 *   a file it cannot read (a corrupt one too: left for its lookup), touch or remove and goes
 *   on. Closing a session whose file (or directory) is gone is fine.
 * - Removing the directory forgets every stored session (a connection holding one keeps it
 *   until it disconnects; its restore is then refused): the next create makes it again.
 * - Files are created with mode 0o600 (the reference uses 0o640); the session keys are
 *   secrets. On a case-insensitive file system keys differing only in case share a file.
 * - With `durable: true` every write and removal is synced to disk (file and directory) before
 *   it resolves (a close that finds no file has nothing to sync).
 * - Temporary files a crashed process left behind are removed once they are a minute old
 *   (until then another process sharing the directory may still be writing them): before the
 *   first write (a create's or a lookup's), by the first write after the younger ones found
 *   then turn a minute old (a restart within a minute of a crash), and by each sweep.
 *
 * @example
 * ```ts
 * import { FileSessionManager } from "./file_session_manager.ts";
 * const manager = new FileSessionManager({ directory: "./sessions" });
 * // A key of the wrong form is not found without touching the file system.
 * console.assert((await manager.onSessionLookup("../../etc/passwd")) === null);
 * ```
 */
export class FileSessionManager implements SessionManager {
  /** The directory of the session files, as given. */
  readonly directory: string;
  readonly #resolvedDirectory: string;
  readonly #isValidKey: (key: string) => boolean;
  readonly #queue = new PerKeyQueue();
  readonly #clock: () => number;
  readonly #durable: boolean;
  readonly #logger: Logger;
  /** Keys a connection of this process holds (created or found, not yet released). */
  readonly #held = new Set<string>();
  #expiry: SessionExpiry = { idleTimeout: 0, maxAge: 0 };
  /** Where the next sweep goes on: the last file name the previous one looked at. */
  #sweepCursor = "";
  #directoryReady: Promise<void> | undefined;
  /** Temporary files a crashed process left: removed before the first write and by sweeps. */
  readonly #staleTemporaries: StaleTemporaryFiles;
  /** The look for them before the first write, once started. */
  #firstLook: Promise<void> | undefined;

  /** Creates a manager for the directory; nothing is touched until the first session. */
  constructor(options: FileSessionManagerOptions) {
    if (typeof options.directory !== "string" || options.directory.length === 0) {
      throw new TypeError("FileSessionManager needs a non-empty directory");
    }
    this.directory = options.directory;
    this.#resolvedDirectory = resolve(options.directory);
    this.#isValidKey = options.isValidKey ?? isDefaultSessionKey;
    this.#clock = options.clock ?? Date.now;
    this.#durable = options.durable ?? false;
    this.#logger = options.logger ?? console;
    this.#staleTemporaries = new StaleTemporaryFiles(this.#resolvedDirectory, this.#clock);
  }

  /** Whether writes are synced to disk before they resolve (the `durable` option). */
  get durable(): boolean {
    return this.#durable;
  }

  /**
   * Writes the session's file, creating the directory first if needed (also when it was
   * removed since the last create). A file of the key that has expired or is corrupt is
   * replaced.
   *
   * @throws {RangeError} when the key is refused (a key generator that does not match
   *   `isValidKey`).
   * @throws {SessionKeyTakenError} when the key's file holds a session that has not expired
   *   (the key generator repeated a key, also one of another process sharing the directory);
   *   the file is left as it is.
   */
  async onSessionCreated(session: Session): Promise<void> {
    const path = this.#pathOf(session.key);
    if (path === null) {
      throw new RangeError(
        `session key ${JSON.stringify(session.key)} is refused by the file session manager ` +
          "(keys are file names: 1 to 200 characters of A-Z a-z 0-9 _ - = . not starting " +
          "with a dot, and what its isValidKey accepts)",
      );
    }
    return await this.#queue.run(session.key, async () => {
      await this.#ensureDirectory();
      if (!await this.#writeNew(path, session)) {
        // The key has a file: another session's, unless it has expired (or is corrupt: then
        // it is moved aside).
        const stored = await readStoredSession(path, this.#logger);
        if (stored !== null && !await this.#isExpired(session.key, path, stored)) {
          throw new SessionKeyTakenError();
        }
        await removeFileIfPresent(path);
        // Another process sharing the directory may have taken the key meanwhile.
        if (!await this.#writeNew(path, session)) throw new SessionKeyTakenError();
      }
      this.#held.add(session.key);
    });
  }

  /** Writes a new session's file; `false` when the key already has one (left as it is). */
  async #writeNew(path: string, session: SessionFile): Promise<boolean> {
    try {
      try {
        await this.#write(path, session, true);
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
        // The directory was removed since it was made (everyone logged out): make it again.
        await makeDirectory(this.#resolvedDirectory, this.#durable);
        await this.#write(path, session, true);
      }
      return true;
    } catch (error) {
      if (errorCode(error) === "EEXIST") return false;
      throw error;
    }
  }

  /**
   * Reads the session's file and rewrites it with now as the last lookup.
   *
   * @returns the values stored before this lookup, or `null` for a refused, unknown or
   *   expired key (an expired session's file is removed), and for a corrupt file (moved aside
   *   and logged).
   */
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    const path = this.#pathOf(key);
    if (path === null) return null;
    return await this.#queue.run(key, async () => {
      const stored = await readStoredSession(path, this.#logger);
      if (stored === null) return null;
      if (await this.#isExpired(key, path, stored)) {
        await removeFileIfPresent(path);
        return null;
      }
      await this.#write(path, { ...stored, lastLookup: Timestamp.now() });
      this.#held.add(key);
      return stored;
    });
  }

  /** Whether the session's file exists (a refused key has none); reads and changes nothing. */
  async hasSession(key: string): Promise<boolean> {
    const path = this.#pathOf(key);
    return path !== null && await fileExists(path);
  }

  /** Deletes the session's file; a refused key or a missing file (or directory) is fine. */
  async onSessionClosed(key: string): Promise<void> {
    const path = this.#pathOf(key);
    if (path === null) return;
    // In the queue: a lookup queued ahead would hold the key again, for good.
    return await this.#queue.run(key, () => this.#remove(key, path));
  }

  /**
   * Deletes the session's file if it still holds `session` (the same creation time); a
   * session of the key stored before or since stays (a corrupt file is moved aside).
   */
  async onSessionUnused(session: Session): Promise<void> {
    const path = this.#pathOf(session.key);
    if (path === null) return;
    return await this.#queue.run(session.key, async () => {
      const stored = await readStoredSession(path, this.#logger);
      if (stored?.creation.isSameInstant(session.creation)) await this.#remove(session.key, path);
    });
  }

  /** Forgets a session (in its key's queue): its file goes, synced when durable. */
  async #remove(key: string, path: string): Promise<void> {
    this.#held.delete(key);
    const removed = await removeFileIfPresent(path);
    // A logged-out session must not come back after a power loss.
    if (removed && this.#durable) await syncDirectory(this.#resolvedDirectory);
  }

  /** Expiry: the server's settings, kept as given (with their `forgotten`). */
  useExpiry(expiry: SessionExpiry): void {
    this.#expiry = expiry;
  }

  /**
   * Expiry: no connection holds the session any more. Its file's modification time is set to
   * now, where its idle time counts from (also after a restart).
   */
  async onSessionReleased(key: string): Promise<void> {
    const path = this.#pathOf(key);
    if (path === null) return;
    return await this.#queue.run(key, async () => {
      this.#held.delete(key); // in the queue, after any lookup of the key called before
      const now = new Date(this.#clock());
      try {
        await utimes(path, now, now);
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
      }
    });
  }

  /**
   * Expiry, and cleaning up after crashes: removes the files of expired sessions that no
   * connection of this process holds, looking at up to 1 000 session files per call, or a
   * quarter of them when there are more than 4 000 (the next call goes on where this one
   * stopped), and temporary files left over from a crash (older than a minute). A session
   * file that cannot be read (a corrupt one: left for its lookup), touched or removed (a
   * permission, a symbolic link loop, ...) is left alone and the sweep goes on. With an idle
   * timeout, it first sets the modification time of the sessions this process holds to now, so
   * that after a crash they stay restorable for about the idle timeout less one sweep interval
   * (the server sweeps every half idle timeout, but never more often than once a second nor
   * less often than once a minute). Resolves to the number of sessions removed.
   */
  async sweepExpired(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#resolvedDirectory);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return 0;
      throw error;
    }
    await this.#staleTemporaries.remove(names);
    await this.#touchHeld();
    const keys = sessionKeysOf(names);
    const start = keys.findIndex((key) => key > this.#sweepCursor);
    const size = Math.max(sweepBatch, Math.ceil(keys.length / sweepPasses));
    const batch = (start === -1 ? keys : keys.slice(start)).slice(0, size);
    this.#sweepCursor = batch.length < size ? "" : batch[batch.length - 1];
    let removed = 0;
    for (const key of batch) {
      if (this.#held.has(key)) continue;
      const path = this.#keptPathOf(key);
      if (path === null) continue;
      const gone = await this.#queue.run(key, async () => {
        if (this.#held.has(key)) return false;
        try {
          const stored = parseSessionFile(await readSessionText(path), path);
          if (!(await this.#isExpired(key, path, stored))) return false;
          await removeFileIfPresent(path);
          return true;
        } catch {
          return false; // one file's failure must not stop every sweep from expiring the rest
        }
      });
      if (!gone) continue;
      this.#expiry.forgotten?.(key);
      removed++;
    }
    return removed;
  }

  /**
   * Sets the modification time of the files of the sessions this process holds to now: should
   * the process end without releasing them (a crash), their idle time counts from the last
   * sweep, not from their last lookup (and another process sharing the directory sees them in
   * use).
   */
  async #touchHeld(): Promise<void> {
    if (this.#expiry.idleTimeout === 0) return;
    for (const key of [...this.#held]) {
      const path = this.#keptPathOf(key);
      if (path === null) continue;
      await this.#queue.run(key, async () => {
        if (!this.#held.has(key)) return; // released meanwhile: its release set the time
        const now = new Date(this.#clock());
        // Failing (gone, a permission, ...): skipped, or the sweep would fail every time.
        await utimes(path, now, now).catch(() => {});
      });
    }
  }

  /** Whether a stored session has expired; an unheld session's idle time runs from its mtime. */
  async #isExpired(key: string, path: string, stored: SessionFile): Promise<boolean> {
    const expiry = this.#expiry;
    if (expiry.idleTimeout === 0 && expiry.maxAge === 0) return false;
    let lastUse: number | null = null;
    if (expiry.idleTimeout > 0 && !this.#held.has(key)) {
      try {
        lastUse = (await stat(path)).mtimeMs;
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
      }
    }
    const creation = stored.creation.toDate().getTime();
    return isExpired(expiry, { creation, lastUse }, this.#clock());
  }

  /**
   * The file of a key, or `null` when the key must not reach the file system. A custom
   * `isValidKey` that throws rejects the caller (the public methods are `async` for that).
   */
  #pathOf(key: string): string | null {
    return sessionFilePath(this.#resolvedDirectory, key, this.#isValidKey);
  }

  /** {@link #pathOf} for a sweep: a key whose check throws is skipped, not every sweep failed. */
  #keptPathOf(key: string): string | null {
    try {
      return this.#pathOf(key);
    } catch {
      return null;
    }
  }

  /** Creates the directory before the first create. */
  #ensureDirectory(): Promise<void> {
    this.#directoryReady ??= makeDirectory(this.#resolvedDirectory, this.#durable).catch(
      (error) => {
        this.#directoryReady = undefined;
        throw error;
      },
    );
    return this.#directoryReady;
  }

  /**
   * Writes a session file. The first write (a create's or a lookup's: a restarted process may
   * only serve restores) first removes the temporary files an earlier process left behind when
   * it crashed (older than a minute: another process sharing the directory may be writing a
   * newer one).
   */
  async #write(path: string, session: SessionFile, exclusive = false): Promise<void> {
    this.#firstLook ??= readdir(this.#resolvedDirectory).then(
      (names) => this.#staleTemporaries.remove(names),
      () => {}, // no directory: nothing left behind
    );
    await this.#firstLook;
    await this.#staleTemporaries.recheck();
    const text = formatSessionFile(session);
    const durable = this.#durable;
    await writeFileAtomically(this.#resolvedDirectory, path, text, { durable, exclusive });
  }
}
