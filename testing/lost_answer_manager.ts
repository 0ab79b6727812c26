/**
 * A session manager around another whose creates can "lose their answer", as a call to a
 * store that timed out does: the create reaches the manager underneath (stored, or refused),
 * and the server hears only of a failure. Its forgets of unused sessions can fail too. For
 * tests of what the server undoes after such a create.
 *
 * @example
 * ```ts
 * import { LostAnswerManager } from "./lost_answer_manager.ts";
 * import { MemorySessionManager } from "../session/memory_session_manager.ts";
 * import { Timestamp } from "../protocol/timestamp.ts";
 * const inner = new MemorySessionManager();
 * const manager = new LostAnswerManager(inner);
 * manager.loseAnswers = true;
 * const session = { key: "k", creation: Timestamp.now(), lastLookup: Timestamp.now() };
 * await manager.onSessionCreated(session).catch(() => {});
 * console.assert(inner.hasSession("k")); // stored, though the caller heard of a failure
 * ```
 * @module
 */

import type { Session, SessionLookupResult, SessionManager } from "../session/session_manager.ts";

/** Wraps a manager that has `onSessionUnused`; creates lose their answer while told to. */
export class LostAnswerManager implements SessionManager {
  /** Whether each create fails after it reached the manager underneath. */
  loseAnswers = false;
  /** Whether a create the manager underneath refused fails with another error (as lost). */
  loseRefusals = false;
  /** How many of the next `onSessionUnused` calls fail before they reach the manager. */
  failUnusedForgets = 0;
  /** How many of the next `onSessionClosed` calls fail before they reach the manager. */
  failCloses = 0;
  /** Every `onSessionUnused` call, failed or not. */
  readonly unusedCalls: Session[] = [];
  readonly #inner: SessionManager & Required<Pick<SessionManager, "onSessionUnused">>;

  /** Wraps `inner`. */
  constructor(inner: SessionManager & Required<Pick<SessionManager, "onSessionUnused">>) {
    this.#inner = inner;
  }

  /** Stores through the manager underneath; while `loseAnswers`, fails whatever came of it. */
  async onSessionCreated(session: Session): Promise<void> {
    try {
      await this.#inner.onSessionCreated(session);
    } catch (error) {
      if (!this.loseAnswers && !this.loseRefusals) throw error;
      throw new Error(`the store's answer was lost (it refused: ${error})`);
    }
    if (this.loseAnswers) throw new Error("the store's answer was lost (it stored the session)");
  }

  /** Looks up through the manager underneath. */
  async onSessionLookup(key: string): Promise<SessionLookupResult | null> {
    return await this.#inner.onSessionLookup(key);
  }

  /** Forgets through the manager underneath; the first `failCloses` calls fail instead. */
  async onSessionClosed(key: string): Promise<void> {
    if (this.failCloses > 0) {
      this.failCloses--;
      throw new Error("the store could not be reached");
    }
    await this.#inner.onSessionClosed(key);
  }

  /** Forgets the session if unchanged; the first `failUnusedForgets` calls fail instead. */
  async onSessionUnused(session: Session): Promise<void> {
    this.unusedCalls.push(session);
    if (this.failUnusedForgets > 0) {
      this.failUnusedForgets--;
      throw new Error("the store could not be reached");
    }
    await this.#inner.onSessionUnused(session);
  }
}
