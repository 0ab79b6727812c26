/**
 * A session manager that keeps one file per session, in the format of the reference server's
 * default session manager, so that a Go server and ours can share a session directory. Uses
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

import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { WebwireError } from "../protocol/webwire_error.ts";
import type { SessionInfo } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { isDefaultSessionKey } from "./session_key.ts";
import { isExpired } from "./session_expiry_rule.ts";
import type {
  Session,
  SessionExpiry,
  SessionLookupResult,
  SessionManager,
} from "./session_manager.ts";

const fileSuffix = ".wwrsess";

/** Session files looked at by one sweep, at most. */
const sweepBatch = 1000;

/** Temporary files older than this are left over from a crash, and removed. */
const staleTemporaryMs = 60_000;

/**
 * Whatever `isValidKey` says, a key becomes a file name only if it is 1 to 200 characters of
 * `A-Z a-z 0-9 _ - = .` not starting with a dot: no separators, no `..`, no NUL, no drive
 * letters, nothing a file system treats specially, and short enough for any name limit.
 */
const safeFileKey = /^[A-Za-z0-9_=-][A-Za-z0-9_=.-]{0,199}$/;

/**
 * Options of a {@link FileSessionManager}.
 *
 * @example
 * ```ts
 * import type { FileSessionManagerOptions } from "./file_session_manager.ts";
 * const options: FileSessionManagerOptions = {
 *   directory: "/var/lib/myapp/sessions",
 *   isValidKey: (key) => /^[a-f0-9]{32}$/.test(key),
 * };
 * console.assert(options.isValidKey!("0".repeat(32)));
 * ```
 */
export interface FileSessionManagerOptions {
  /** The directory of the session files; created (mode 0o700) when the first session is. */
  directory: string;
  /**
   * Tells well-formed keys from others; a key it refuses is not found, without any file
   * system access. Defaults to {@link isDefaultSessionKey}; set it when a custom key generator
   * makes other keys. Keys must in any case be 1 to 200 characters of `A-Z a-z 0-9 _ - = .`
   * not starting with a dot, or they are refused too.
   */
  isValidKey?: (key: string) => boolean;
  /** Milliseconds since the epoch, for expiry; default `Date.now` (tests pass their own). */
  clock?: () => number;
  /**
   * Whether a session write (create, lookup) and a removal (close) are on disk before they
   * resolve: each file is synced (`fsync`) before it is renamed into place, and the directory
   * after. Default `false`: writes are atomic (a reader never sees a partial file) but a power
   * loss or kernel crash may lose the last few seconds of them; a process crash loses nothing
   * either way. Costs a few milliseconds per write on most disks (see the README's figures).
   */
  durable?: boolean;
}

/**
 * A session file that cannot be read as one: not JSON, or without valid `"c"` and `"l"` times,
 * or with an `"i"` that is not an object. A lookup that meets one throws this error (a server
 * answers the restore with an internal error); the file is left as it is.
 *
 * @example
 * ```ts
 * import { CorruptSessionFileError } from "./file_session_manager.ts";
 * const error = new CorruptSessionFileError("/tmp/x.wwrsess", "not JSON");
 * console.assert(error.path === "/tmp/x.wwrsess" && error.name === "CorruptSessionFileError");
 * ```
 */
export class CorruptSessionFileError extends WebwireError {
  /** The path of the corrupt file. */
  readonly path: string;

  /** Creates the error for the file at `path`, saying what is wrong with it. */
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`corrupt session file ${path}: ${problem}`, options);
    this.path = path;
  }
}

interface SessionFile {
  creation: Timestamp;
  lastLookup: Timestamp;
  info?: SessionInfo;
}

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
 *   session file, so a reader never sees a partly written file. Operations on one key are
 *   queued within this manager, so concurrent lookups each see a whole file and a close is
 *   never undone by a lookup finishing after it. Several processes sharing a directory get
 *   whole files but no such ordering.
 * - A corrupt file makes the lookup throw {@link CorruptSessionFileError}; other file system
 *   failures are thrown as they come. Closing a session whose file is gone is fine.
 * - Files are created with mode 0o600 (the reference uses 0o640); the session keys are
 *   secrets. On a case-insensitive file system keys differing only in case share a file.
 * - With `durable: true` every write and removal is synced to disk (file and directory) before
 *   it resolves.
 * - Temporary files a crashed process left behind are removed once they are a minute old
 *   (until then another process sharing the directory may still be writing them): before the
 *   first write, by the first write after the younger ones found then turn a minute old (a
 *   restart within a minute of a crash), and by each sweep.
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
  readonly #queues = new Map<string, Promise<void>>();
  readonly #clock: () => number;
  readonly #durable: boolean;
  /** Keys a connection of this process holds (created or found, not yet released). */
  readonly #held = new Set<string>();
  #expiry: SessionExpiry = { idleTimeout: 0, maxAge: 0 };
  /** Where the next sweep goes on: the last file name the previous one looked at. */
  #sweepCursor = "";
  #directoryReady: Promise<void> | undefined;
  /**
   * When the temporary files last seen too young to remove turn a minute old: the first write
   * after it looks again. Without it, a restart within a minute of a crash kept the crash's
   * files for good (unless sweeps ran).
   */
  #temporariesRecheckAt: number | undefined;

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
  }

  /** Whether writes are synced to disk before they resolve (the `durable` option). */
  get durable(): boolean {
    return this.#durable;
  }

  /**
   * Writes the session's file, creating the directory first if needed.
   *
   * @throws {RangeError} when the key is refused (a key generator that does not match
   *   `isValidKey`).
   */
  onSessionCreated(session: Session): Promise<void> {
    const path = this.#pathOf(session.key);
    if (path === null) {
      return Promise.reject(
        new RangeError(
          `session key ${JSON.stringify(session.key)} is refused by the file session manager`,
        ),
      );
    }
    return this.#queued(session.key, async () => {
      await this.#ensureDirectory();
      await this.#write(path, session);
      this.#held.add(session.key);
    });
  }

  /**
   * Reads the session's file and rewrites it with now as the last lookup.
   *
   * @returns the values stored before this lookup, or `null` for a refused, unknown or
   *   expired key (an expired session's file is removed).
   * @throws {CorruptSessionFileError} when the file is not a session file.
   */
  onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    const path = this.#pathOf(key);
    if (path === null) return Promise.resolve(null);
    return this.#queued(key, async () => {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if (errorCode(error) === "ENOENT") return null;
        throw error;
      }
      const stored = parseSessionFile(text, path);
      if (await this.#isExpired(key, path, stored)) {
        await removeFile(path);
        return null;
      }
      await this.#write(path, { ...stored, lastLookup: Timestamp.now() });
      this.#held.add(key);
      return stored;
    });
  }

  /** Deletes the session's file; a refused key or a missing file is fine. */
  onSessionClosed(key: string): Promise<void> {
    const path = this.#pathOf(key);
    if (path === null) return Promise.resolve();
    this.#held.delete(key);
    return this.#queued(key, async () => {
      await removeFile(path);
      // A logged-out session must not come back after a power loss.
      if (this.#durable) await this.#syncDirectory();
    });
  }

  /** Expiry: the server's settings. */
  useExpiry(expiry: SessionExpiry): void {
    this.#expiry = { ...expiry };
  }

  /**
   * Expiry: no connection holds the session any more. Its file's modification time is set to
   * now, where its idle time counts from (also after a restart).
   */
  onSessionReleased(key: string): Promise<void> {
    const path = this.#pathOf(key);
    if (path === null) return Promise.resolve();
    this.#held.delete(key);
    return this.#queued(key, async () => {
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
   * connection of this process holds, looking at up to 1 000 session files per call (the next
   * call goes on where this one stopped), and temporary files left over from a crash (older
   * than a minute). A session file that cannot be read is left alone. Resolves to the number
   * of sessions removed.
   */
  async sweepExpired(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#resolvedDirectory);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return 0;
      throw error;
    }
    await this.#removeStaleTemporaryFiles(names);
    const keys = names.filter((name) => name.endsWith(fileSuffix))
      .map((name) => name.slice(0, -fileSuffix.length))
      .sort();
    const start = keys.findIndex((key) => key > this.#sweepCursor);
    const batch = (start === -1 ? keys : keys.slice(start)).slice(0, sweepBatch);
    this.#sweepCursor = batch.length < sweepBatch ? "" : batch[batch.length - 1];
    let removed = 0;
    for (const key of batch) {
      if (this.#held.has(key)) continue;
      const path = this.#pathOf(key);
      if (path === null) continue;
      const gone = await this.#queued(key, async () => {
        if (this.#held.has(key)) return false;
        let stored: SessionFile;
        try {
          stored = parseSessionFile(await readFile(path, "utf8"), path);
        } catch {
          return false;
        }
        if (!(await this.#isExpired(key, path, stored))) return false;
        await removeFile(path);
        return true;
      });
      if (gone) removed++;
    }
    return removed;
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

  async #removeStaleTemporaryFiles(names: string[]): Promise<void> {
    const now = this.#clock();
    let recheckAt: number | undefined;
    for (const name of names) {
      if (!(name.startsWith(".") && name.endsWith(".tmp"))) continue;
      const path = join(this.#resolvedDirectory, name);
      try {
        const modified = (await stat(path)).mtimeMs;
        if (now - modified > staleTemporaryMs) await unlink(path);
        else recheckAt = Math.min(recheckAt ?? Infinity, modified + staleTemporaryMs + 1);
      } catch {
        // Gone already, or renamed by a writer that was still running: nothing to clean.
      }
    }
    this.#temporariesRecheckAt = recheckAt;
  }

  /** Removes the temporary files that were too young at the last look, once they are not. */
  async #recheckTemporaryFiles(): Promise<void> {
    const at = this.#temporariesRecheckAt;
    if (at === undefined || this.#clock() < at) return;
    this.#temporariesRecheckAt = undefined;
    const names = await readdir(this.#resolvedDirectory).catch(() => []);
    await this.#removeStaleTemporaryFiles(names);
  }

  /** The file of a key, or `null` when the key must not reach the file system. */
  #pathOf(key: string): string | null {
    if (typeof key !== "string" || !safeFileKey.test(key) || !this.#isValidKey(key)) return null;
    const path = join(this.#resolvedDirectory, key + fileSuffix);
    // Redundant with the pattern above; kept so that a future change to it cannot open a hole.
    if (dirname(path) !== this.#resolvedDirectory || basename(path) !== key + fileSuffix) {
      return null;
    }
    return path;
  }

  /**
   * Creates the directory before the first write, and removes the temporary files an earlier
   * process left behind when it crashed (older than a minute: another process sharing the
   * directory may be writing a newer one).
   */
  #ensureDirectory(): Promise<void> {
    this.#directoryReady ??= mkdir(this.#resolvedDirectory, { recursive: true, mode: 0o700 })
      .then(async () => {
        const names = await readdir(this.#resolvedDirectory).catch(() => []);
        await this.#removeStaleTemporaryFiles(names);
      })
      .then(
        () => {},
        (error) => {
          this.#directoryReady = undefined;
          throw error;
        },
      );
    return this.#directoryReady;
  }

  async #write(path: string, session: SessionFile): Promise<void> {
    await this.#recheckTemporaryFiles();
    const temporary = join(this.#resolvedDirectory, `.${basename(path)}.${randomHex()}.tmp`);
    try {
      const text = formatSessionFile(session);
      if (this.#durable) await writeSynced(temporary, text);
      else await writeFile(temporary, text, { mode: 0o600, flag: "wx" });
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    if (this.#durable) await this.#syncDirectory();
  }

  /** Makes renames and removals in the directory durable (`fsync` of the directory). */
  async #syncDirectory(): Promise<void> {
    const directory = await open(this.#resolvedDirectory, "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  /** Runs `task` after every earlier task of the same key has settled. */
  #queued<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const settled = result.then(() => {}, () => {});
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return result;
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

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw error;
  }
}

function formatSessionFile(session: SessionFile): string {
  return JSON.stringify({
    c: session.creation.toString(),
    l: session.lastLookup.toString(),
    i: session.info ?? null,
  });
}

function parseSessionFile(text: string, path: string): SessionFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptSessionFileError(path, "not JSON", { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CorruptSessionFileError(path, "not a JSON object");
  }
  const { c, l, i } = value as Record<string, unknown>;
  if (typeof c !== "string" || typeof l !== "string") {
    throw new CorruptSessionFileError(path, 'needs RFC 3339 strings "c" and "l"');
  }
  let file: SessionFile;
  try {
    file = { creation: Timestamp.parse(c), lastLookup: Timestamp.parse(l) };
  } catch (error) {
    throw new CorruptSessionFileError(path, 'needs RFC 3339 strings "c" and "l"', {
      cause: error,
    });
  }
  if (i !== undefined && i !== null) {
    if (typeof i !== "object" || Array.isArray(i)) {
      throw new CorruptSessionFileError(path, '"i" must be an object or null');
    }
    file.info = i as SessionInfo;
  }
  return file;
}

function randomHex(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}
