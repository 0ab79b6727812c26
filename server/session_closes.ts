/**
 * Closes of sessions that overtake restores. A client's restore looks its session up in the
 * session manager, which takes time; if `Server.closeSession` (here, or on another node of the
 * cluster) closes that session meanwhile, the lookup may still have found it, and the restore
 * must not attach a session that its closer has just had forgotten. Restores watch their key
 * while they look it up; closes mark the watches of their key. In a cluster, a watch also
 * holds the signals to its session that arrive meanwhile: the restore's slot already counts as
 * a holder, so they were not kept offline, and the connection is not yet attached to receive
 * them. Internal to the server core.
 *
 * @example
 * ```ts
 * import { SessionCloses } from "./session_closes.ts";
 * const closes = new SessionCloses();
 * const restore = closes.watch("key"); // a restore of "key" starts its lookup
 * const endClose = closes.begin("key"); // Server.closeSession("key") runs meanwhile
 * endClose();
 * console.assert(restore.overtaken); // the restore must fail as if the session was not found
 * restore.end();
 * console.assert(closes.size === 0);
 * ```
 * @module
 */

/**
 * One restore's watch over its session key, from before its lookup until it attaches the
 * session or gives up.
 *
 * @example
 * ```ts
 * import { SessionCloses } from "./session_closes.ts";
 * const closes = new SessionCloses();
 * const watch = closes.watch("key");
 * console.assert(!watch.overtaken); // no close since the watch began: the lookup stands
 * watch.end();
 * ```
 */
export interface SessionCloseWatch {
  /** Whether a close of the key ran at any time since the watch began. */
  readonly overtaken: boolean;
  /**
   * The signals held for the session since the watch began ({@link SessionCloses.hold}), oldest
   * first, at most {@link maxHeldSignals} (the newest); none are held from then on. Call it in
   * the step that attaches the session: later signals reach the connection as its holder.
   */
  takeHeld(): Uint8Array[];
  /** The restore is over: stops watching (once is enough; more calls do nothing). */
  end(): void;
}

/**
 * The closes running on this server and the restores watching for them, per session key.
 * Holds nothing for a key once its closes and restores have ended.
 *
 * @example
 * ```ts
 * import { SessionCloses } from "./session_closes.ts";
 * const closes = new SessionCloses();
 * const endClose = closes.begin("key");
 * const late = closes.watch("key"); // began while the close still runs
 * console.assert(late.overtaken);
 * endClose();
 * late.end();
 * const after = closes.watch("key"); // began after the close: its lookup finds the truth
 * console.assert(!after.overtaken);
 * after.end();
 * ```
 */
export class SessionCloses {
  readonly #running = new Map<string, number>();
  readonly #watches = new Map<string, Set<Watch>>();

  /**
   * A close of `key` begins: every restore of it watching now, and every one that begins to
   * watch before the returned function is called, is overtaken. Call the returned function
   * once the session manager has forgotten the session (more calls do nothing).
   */
  begin(key: string): () => void {
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    for (const watch of this.#watches.get(key) ?? []) watch.overtaken = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = this.#running.get(key)! - 1;
      if (left === 0) this.#running.delete(key);
      else this.#running.set(key, left);
    };
  }

  /**
   * A close of `key` that happened elsewhere (another node's, heard of now): every restore of it
   * watching now is overtaken.
   */
  overtake(key: string): void {
    this.begin(key)();
  }

  /**
   * A signal to session `key` reached this server (from another node, or from this one): each
   * restore of `key` watching now holds a copy until it takes what it held.
   */
  hold(key: string, signal: Uint8Array): void {
    for (const watch of this.#watches.get(key) ?? []) watch.hold(signal);
  }

  /** A restore of `key` is about to look it up: watches for closes until `end`. */
  watch(key: string): SessionCloseWatch {
    let watches = this.#watches.get(key);
    if (watches === undefined) this.#watches.set(key, watches = new Set());
    const watch = new Watch(this.#running.has(key), () => {
      watches.delete(watch);
      if (watches.size === 0 && this.#watches.get(key) === watches) this.#watches.delete(key);
    });
    watches.add(watch);
    return watch;
  }

  /** Whether a restore of `key` is under way (watching). */
  isRestoring(key: string): boolean {
    return this.#watches.has(key);
  }

  /** How many keys have a close running or a restore watching (0 when all have ended). */
  get size(): number {
    return new Set([...this.#running.keys(), ...this.#watches.keys()]).size;
  }
}

/**
 * The most signals one restore holds (the newest): a restore lasts a few Redis round trips, and
 * a session sent more than this meanwhile is flooded anyway.
 */
export const maxHeldSignals = 256;

class Watch implements SessionCloseWatch {
  overtaken: boolean;
  #stop: (() => void) | undefined;
  #held: Uint8Array[] | null = [];

  constructor(overtaken: boolean, stop: () => void) {
    this.overtaken = overtaken;
    this.#stop = stop;
  }

  hold(signal: Uint8Array): void {
    if (this.#held === null) return;
    if (this.#held.length === maxHeldSignals) this.#held.shift();
    // A copy: what was pushed may be a view of a buffer that is reused once it was sent.
    this.#held.push(signal.slice());
  }

  takeHeld(): Uint8Array[] {
    const held = this.#held ?? [];
    this.#held = null;
    return held;
  }

  end(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#held = null;
  }
}
