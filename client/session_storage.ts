/**
 * Optional persistence of the session key, so that a client restores its session after the
 * program or page restarts. Off unless a storage is given in the client options.
 *
 * @example
 * ```ts
 * import { memorySessionStorage } from "@webwire/webwire";
 * const storage = memorySessionStorage();
 * await storage.set("key");
 * console.assert(await storage.get() === "key");
 * ```
 * @module
 */

/**
 * Where the client keeps its session key: `get` is read once, before the first connection,
 * and `set` is called with the key whenever the client gains a session and with `null` when
 * it loses it. A `get` that throws, or does not answer within as long as the session restore may
 * wait (the request timeout, at most twice the server's read timeout), is logged and the client
 * connects without a stored key.
 *
 * @example
 * ```ts
 * import type { SessionStorage } from "@webwire/webwire";
 * let kept: string | null = null;
 * const storage: SessionStorage = { get: () => kept, set: (key) => void (kept = key) };
 * console.assert(storage.get() === null);
 * ```
 */
export interface SessionStorage {
  /** The stored key, or `null` when there is none. */
  get(): string | null | Promise<string | null>;
  /** Stores a key, or forgets it when given `null`. */
  set(key: string | null): void | Promise<void>;
}

/**
 * The part of the Web Storage API (`localStorage`, `sessionStorage`) that
 * {@link webStorageSessionStorage} uses.
 *
 * @example
 * ```ts
 * import type { WebStorageLike } from "@webwire/webwire";
 * const map = new Map<string, string>();
 * const storage: WebStorageLike = {
 *   getItem: (name) => map.get(name) ?? null,
 *   setItem: (name, value) => void map.set(name, value),
 *   removeItem: (name) => void map.delete(name),
 * };
 * console.assert(storage.getItem("x") === null);
 * ```
 */
export interface WebStorageLike {
  /** Reads an item. */
  getItem(name: string): string | null;
  /** Writes an item. */
  setItem(name: string, value: string): void;
  /** Deletes an item. */
  removeItem(name: string): void;
}

/**
 * Keeps the session key in a Web Storage such as `localStorage` under the item `name`. The pages
 * of one origin share the item: a client whose session ends removes it only while it holds the
 * key this client read or stored (another tab may have logged in as someone else since).
 *
 * @example
 * ```ts
 * import { webStorageSessionStorage } from "@webwire/webwire";
 * const items = new Map<string, string>();
 * const storage = webStorageSessionStorage({
 *   getItem: (name) => items.get(name) ?? null,
 *   setItem: (name, value) => void items.set(name, value),
 *   removeItem: (name) => void items.delete(name),
 * }, "my-app-session");
 * storage.set("abc");
 * console.assert(items.get("my-app-session") === "abc");
 * // In a browser: webStorageSessionStorage(localStorage)
 * ```
 */
export function webStorageSessionStorage(
  storage: WebStorageLike,
  name = "webwire-session",
): SessionStorage {
  // The key this client read or stored last.
  let own: string | null = null;
  return {
    get: () => own = storage.getItem(name),
    set: (key) => {
      if (key !== null) storage.setItem(name, key);
      // Only this client's key: another tab may have stored its user's key since.
      else if (own === null || storage.getItem(name) === own) storage.removeItem(name);
      own = key;
    },
  };
}

/**
 * Keeps the session key in memory: for tests, or to share one key between clients.
 *
 * @example
 * ```ts
 * import { memorySessionStorage } from "@webwire/webwire";
 * const storage = memorySessionStorage("initial");
 * console.assert(storage.get() === "initial");
 * ```
 */
export function memorySessionStorage(initial: string | null = null): SessionStorage {
  let key = initial;
  return {
    get: () => key,
    set: (value) => {
      key = value;
    },
  };
}
