/**
 * The options of a `FileSessionManager`.
 *
 * @example
 * ```ts
 * import type { FileSessionManagerOptions } from "./file_session_manager_options.ts";
 * const options: FileSessionManagerOptions = { directory: "./sessions", durable: true };
 * console.assert(options.durable);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";

/**
 * Options of a `FileSessionManager`.
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
  /**
   * The directory of the session files; created (mode 0o700) when the first session is, and
   * again by a create that finds it removed (an operator's `rm -rf` to forget every session).
   */
  directory: string;
  /**
   * Tells well-formed keys from others; a key it refuses is not found, without any file
   * system access. Defaults to `isDefaultSessionKey`; set it when a custom key generator
   * makes other keys. Keys must in any case be 1 to 200 characters of `A-Z a-z 0-9 _ - = .`
   * not starting with a dot, or they are refused too.
   */
  isValidKey?: (key: string) => boolean;
  /** Milliseconds since the epoch, for expiry; default `Date.now` (tests pass their own). */
  clock?: () => number;
  /**
   * Whether a session write (create, lookup) and a removal (close) are on disk before they
   * resolve: each file is synced (`fsync`) before it is renamed into place, and the directory
   * after (and the directories made for it, with their parents). Default `false`: writes are
   * atomic (no reader sees a partial file), but a power loss or kernel crash may lose the last
   * seconds of them (a process crash loses nothing); `true` costs a few ms per write on most
   * disks (see the README's figures).
   */
  durable?: boolean;
  /**
   * Where a corrupt session file is reported (once: it is moved aside, see
   * `FileSessionManager`); default `console`.
   */
  logger?: Logger;
}
