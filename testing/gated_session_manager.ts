/**
 * A session manager whose lookups and forgets of one key wait until the test opens a gate, for
 * tests of session operations that race each other. Wraps a real session manager (in memory,
 * or the Redis one).
 *
 * @example
 * ```ts
 * import { GatedManager } from "./gated_session_manager.ts";
 * import { MemorySessionManager } from "../session/memory_session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const manager = new GatedManager(new MemorySessionManager());
 * const now = Timestamp.now();
 * await manager.onSessionCreated({ key: "k", creation: now, lastLookup: now });
 * manager.holdLookupOf = "k";
 * manager.readBeforeHold = true; // the lookup finds the session, then waits
 * const lookup = manager.onSessionLookup("k");
 * await manager.lookupStarted.opened;
 * await manager.onSessionClosed("k"); // forgotten meanwhile
 * manager.lookupGate.open();
 * console.assert((await lookup) !== null); // what it had found
 * ```
 * @module
 */

import type {
  Session,
  SessionExpiry,
  SessionLookupResult,
  SessionManager,
} from "../session/session_manager.ts";

/**
 * A promise the test resolves when it wants.
 *
 * @example
 * ```ts
 * import { gate } from "./gated_session_manager.ts";
 * const started = gate();
 * setTimeout(started.open, 1);
 * await started.opened;
 * ```
 */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => open = resolve);
  return { opened, open };
}

/**
 * A session manager that records which keys it was told to forget. A lookup of `holdLookupOf`
 * says it started (`lookupStarted`) and waits for `lookupGate` before it reads the manager
 * underneath; with `readBeforeHold` it reads first and says so only then (a lookup that found
 * the session just before a close). A forget of `holdForgetOf` waits for `forgetGate` before
 * it forgets (or fails, with `failHeldForget`).
 *
 * @example
 * ```ts
 * import { GatedManager } from "./gated_session_manager.ts";
 * import { MemorySessionManager } from "../session/memory_session_manager.ts";
 * const manager = new GatedManager(new MemorySessionManager());
 * await manager.onSessionClosed("some key");
 * console.assert(manager.forgotten[0] === "some key");
 * ```
 */
export class GatedManager implements SessionManager {
  /** Every key it was told to forget, in order. */
  readonly forgotten: string[] = [];
  /** The key whose lookup waits for {@link GatedManager.lookupGate}. */
  holdLookupOf: string | undefined;
  /** Whether the held lookup reads the manager underneath before it waits (else after). */
  readBeforeHold = false;
  /** Opened when the held lookup starts (with `readBeforeHold`: once it has read). */
  readonly lookupStarted = gate();
  /** The held lookup goes on once this opens. */
  readonly lookupGate = gate();
  /** The key whose forget waits for {@link GatedManager.forgetGate}. */
  holdForgetOf: string | undefined;
  /** Opened when the held forget starts. */
  readonly forgetStarted = gate();
  /** Whether the held forget fails (once its gate opens) instead of forgetting. */
  failHeldForget = false;
  /** The held forget goes on once this opens. */
  readonly forgetGate = gate();
  /** The key whose release notice waits for {@link GatedManager.releaseGate}. */
  holdReleaseOf: string | undefined;
  /** Opened when the held release notice starts. */
  readonly releaseStarted = gate();
  /** The held release notice goes on once this opens. */
  readonly releaseGate = gate();
  readonly #inner: SessionManager;

  /** Wraps `inner`. */
  constructor(inner: SessionManager) {
    this.#inner = inner;
  }

  /** Hands the server's expiry settings to the manager underneath (which must take them). */
  useExpiry(expiry: SessionExpiry): void {
    if (this.#inner.useExpiry === undefined) {
      throw new TypeError("the inner manager has no useExpiry");
    }
    this.#inner.useExpiry(expiry);
  }

  /** Has the manager underneath forget its expired sessions (as the server's sweep asks). */
  async sweepExpired(): Promise<number> {
    if (this.#inner.sweepExpired === undefined) return 0;
    return await this.#inner.sweepExpired();
  }

  /** Stores the session. */
  async onSessionCreated(session: Session): Promise<void> {
    await this.#inner.onSessionCreated(session);
  }

  /** Looks the session up, held as configured. */
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    if (key !== this.holdLookupOf) return await this.#inner.onSessionLookup(key);
    const early = this.readBeforeHold ? await this.#inner.onSessionLookup(key) : undefined;
    this.lookupStarted.open();
    await this.lookupGate.opened;
    return early !== undefined ? early : await this.#inner.onSessionLookup(key);
  }

  /** Records the key and has the manager underneath forget it, held as configured. */
  async onSessionClosed(key: string): Promise<void> {
    this.forgotten.push(key);
    if (key === this.holdForgetOf) {
      this.forgetStarted.open();
      await this.forgetGate.opened;
      if (this.failHeldForget) throw new Error("the store could not forget the session");
    }
    await this.#inner.onSessionClosed(key);
  }

  /** Tells the manager underneath that nobody holds the session, held as configured. */
  async onSessionReleased(key: string): Promise<void> {
    if (key === this.holdReleaseOf) {
      this.releaseStarted.open();
      await this.releaseGate.opened;
    }
    await this.#inner.onSessionReleased?.(key);
  }
}
