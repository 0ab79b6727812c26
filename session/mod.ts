/**
 * Session storage for WebWire servers: the {@link SessionManager} interface a server calls
 * when sessions are created, restored and closed, two managers (in memory, and one file per
 * session in the reference server's format), and the default session key generator.
 *
 * @example
 * ```ts
 * import { DefaultSessionKeyGenerator, MemorySessionManager } from "./mod.ts";
 * import type { SessionManager } from "./mod.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 *
 * const manager: SessionManager = new MemorySessionManager();
 * const key = new DefaultSessionKeyGenerator().generate();
 * const now = Timestamp.now();
 * await manager.onSessionCreated({ key, creation: now, lastLookup: now, info: { user: "ada" } });
 * const found = await manager.onSessionLookup(key);
 * console.assert(found?.info?.user === "ada");
 * ```
 * @module
 */

export type {
  Session,
  SessionExpiry,
  SessionKeyGenerator,
  SessionLookupResult,
  SessionManager,
} from "./session_manager.ts";
export {
  MemorySessionManager,
  type MemorySessionManagerOptions,
} from "./memory_session_manager.ts";
export { isExpired, type SessionTimes } from "./session_expiry_rule.ts";
export { FileSessionManager, type FileSessionManagerOptions } from "./file_session_manager.ts";
export { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
export { SessionKeyTakenError } from "./session_key_taken_error.ts";
export {
  DefaultSessionKeyGenerator,
  generateSessionKey,
  isDefaultSessionKey,
} from "./session_key.ts";
