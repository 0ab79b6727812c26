/**
 * The session side of one connection: the session it holds, creating and closing it from a
 * handler, and answering the client's restore-session and close-session requests exactly as the
 * reference server does. Internal to the server core.
 *
 * @example
 * ```ts
 * import { ConnectionSession } from "./connection_session.ts";
 * import type { SessionLifecycle } from "./session_host.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { DefaultSessionKeyGenerator, MemorySessionManager } from "@webwire/webwire/session";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
 * const sent: Uint8Array[] = [];
 * const noop = () => {};
 * const lifecycle: SessionLifecycle = {
 *   acquire: () => true, release: (_key, remaining) => remaining, giveBack: noop,
 *   isTooOld: () => false, held: noop, unheld: noop, released: noop, destroyed: noop,
 *   forget: () => Promise.resolve(), lost: noop, destroy: () => Promise.resolve(),
 *   destroyLater: noop, takeOfflineSignals: () => [], signalAgain: noop,
 * };
 * const session = new ConnectionSession({
 *   owner: "connection A", isOpen: true, sessionsEnabled: true, logger: console, lifecycle,
 *   restoreFailures: new PowersOfTenLog(), giveBackFailures: new PowersOfTenLog(),
 *   sessions: new SessionRegistry<string>(0), closes: new SessionCloses(),
 *   sessionManager: new MemorySessionManager(),
 *   keyGenerator: new DefaultSessionKeyGenerator(), send: (bytes) => void sent.push(bytes),
 *   deferPushes: noop, resumePushes: () => [], maxSendBuffer: 8e6, sendCost: (n) => n + 16,
 * });
 * // A handler's `connection.createSession`: stored, then announced to the client.
 * const created = await session.create({ user: "ada" });
 * console.assert(session.current === created && created.info?.user === "ada");
 * console.assert(decodeMessage(sent[0]).kind === "session-created");
 * ```
 * @module
 */

import { encodeSessionClosed, encodeSpecialReply } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import type { CloseSessionMessage, RestoreSessionMessage } from "../protocol/message.ts";
import { MessageType } from "../protocol/message_type.ts";
import { formatSessionJson, type SessionInfo } from "../protocol/session_json.ts";
import type { Session } from "../session/session_manager.ts";
import { ConnectionInactiveError, SessionUnavailableError } from "./errors.ts";
import type { SessionCloseWatch } from "./session_closes.ts";
import type { SessionHost } from "./session_host.ts";
import { newSession, sessionCreatedWithin } from "./new_session.ts";
import { dropUnusedSession, storeNewSession } from "./new_session_store.ts";
import { detachSession, type Unwritten, unwrittenOf } from "./session_detach.ts";
import { destroyStoredSession, giveUpRestore, logRestoreFailure } from "./restore_failure.ts";

/**
 * The session one connection holds, or none.
 *
 * @example
 * ```ts
 * import { ConnectionSession } from "./connection_session.ts";
 * console.assert(ConnectionSession.name === "ConnectionSession");
 * ```
 */
export class ConnectionSession<C> {
  readonly #host: SessionHost<C>;
  #session: Session | null = null;
  /**
   * The end of the queue of session operations: a handler's createSession and closeSession and
   * the client's restore-session and close-session requests take effect one at a time, in the
   * order they began, each announcing its outcome to the client before the next starts. So
   * the client's view of the session ends where the server's does.
   */
  #turn: Promise<unknown> = Promise.resolve();
  /** While a restore writes what it took and held: settles to what it did not write. */
  #replaying: Promise<Unwritten | null> | null = null;

  /** Starts without a session. */
  constructor(host: SessionHost<C>) {
    this.#host = host;
  }

  /** The session held, or `null`. */
  get current(): Session | null {
    return this.#session;
  }

  /**
   * Creates, stores and announces a session (a handler's `connection.createSession`), after the
   * session operations that began before it. During a client's restore it fails with
   * `SessionUnavailableError("exists")` if the restore succeeded; during a client's
   * close-session request it creates the session after the reply to that request. Info that
   * cannot be JSON (a `BigInt`, a cycle) is a `TypeError` before anything is stored, info too
   * large to send a `SessionTooLargeError`.
   */
  create(info?: SessionInfo): Promise<Session> {
    return this.#inTurn(() => this.#create(info));
  }

  async #create(info?: SessionInfo): Promise<Session> {
    const host = this.#host;
    if (!host.sessionsEnabled) {
      throw new SessionUnavailableError("disabled", "sessions are disabled on this server");
    }
    if (!host.isOpen) throw new ConnectionInactiveError("createSession");
    if (this.#session !== null) {
      throw new SessionUnavailableError("exists", "the connection already has a session");
    }
    // Written before anything is stored: info that cannot be JSON (or too large to send) fails
    // with nothing to undo.
    const { session, json } = newSession(host.keyGenerator.generate(), info);
    const created = sessionCreatedWithin(json, host);
    await storeNewSession(host, session);
    if (!host.isOpen || this.#session !== null) {
      await dropUnusedSession(host, session);
      if (!host.isOpen) throw new ConnectionInactiveError("createSession");
      throw new SessionUnavailableError("exists", "the connection already has a session");
    }
    this.#attach(session);
    host.send(created);
    return session;
  }

  /**
   * Detaches the session, destroys it when this was its last connection and tells the client
   * (a handler's `connection.closeSession`), after the session operations that began before
   * it. Resolves to `false` without a session.
   */
  close(): Promise<boolean> {
    return this.#inTurn(() => this.#close());
  }

  async #close(): Promise<boolean> {
    if (this.#session === null) return false;
    // The connection has left the session whether or not destroying it succeeds: the client
    // hears of it either way, as from the reference (and before a restore can interleave).
    const destroyed = this.#detach("destroy");
    this.#host.send(encodeSessionClosed());
    await destroyed;
    return true;
  }

  /**
   * Detaches the session `key` if this connection still holds it when its turn comes, after the
   * session operations that began before it, and tells the client (`Server.closeSession`, here
   * or on another node of the cluster). The session manager is not told: whoever closes the
   * session forgets it, once. A failure to give back the session's slot is logged. Resolves to
   * whether this connection held the key.
   *
   * @example
   * ```ts
   * import { ConnectionSession } from "./connection_session.ts";
   * import type { SessionLifecycle } from "./session_host.ts";
   * import { SessionCloses } from "./session_closes.ts";
   * import { SessionRegistry } from "./session_registry.ts";
   * import { DefaultSessionKeyGenerator, MemorySessionManager } from "../session/mod.ts";
   * import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
   * const noop = () => {};
   * const lifecycle: SessionLifecycle = {
   *   acquire: () => true, release: (_key, remaining) => remaining, giveBack: noop,
   *   isTooOld: () => false,
   *   held: noop, unheld: noop, released: noop, destroyed: noop, destroyLater: noop,
   *   forget: () => Promise.resolve(), lost: noop, destroy: () => Promise.resolve(),
   *   takeOfflineSignals: () => [], signalAgain: noop,
   * };
   * const manager = new MemorySessionManager();
   * const session = new ConnectionSession({
   *   owner: "connection A", isOpen: true, sessionsEnabled: true, logger: console, lifecycle,
   *   restoreFailures: new PowersOfTenLog(), giveBackFailures: new PowersOfTenLog(),
   *   sessions: new SessionRegistry<string>(0), closes: new SessionCloses(),
   *   sessionManager: manager,
   *   keyGenerator: new DefaultSessionKeyGenerator(), send: noop,
   *   deferPushes: noop, resumePushes: () => [], maxSendBuffer: 8e6, sendCost: (n) => n + 16,
   * });
   * const { key } = await session.create();
   * console.assert((await session.closeKey("another key")) === false && session.current !== null);
   * console.assert((await session.closeKey(key)) === true && session.current === null);
   * console.assert((await manager.onSessionLookup(key)) !== null); // the closer forgets it
   * ```
   */
  closeKey(key: string): Promise<boolean> {
    return this.#inTurn(async () => {
      if (this.#session?.key !== key) return false;
      const detached = this.#detach("closed");
      this.#host.send(encodeSessionClosed());
      try {
        await detached;
      } catch (error) {
        this.#host.logger.error("giving back a closed session's slot failed", error);
      }
      return true;
    });
  }

  /** Leaves the session without destroying it: the connection ended, the client may restore. */
  leave(): Promise<void> {
    return this.#detach("keep", this.#replaying ?? undefined);
  }

  /**
   * Answers a client's restore-session (32) or close-session (31) request, after the session
   * operations that began before it; a failure is logged and answered with an internal error.
   */
  answer(message: RestoreSessionMessage | CloseSessionMessage): Promise<void> {
    return this.#inTurn(async () => {
      try {
        const reply = message.kind === "restore-session"
          ? await this.#answerRestore(message)
          : await this.#answerClose(message);
        if (reply !== undefined) this.#host.send(reply);
      } catch (error) {
        this.#host.logger.error(`${message.kind} request failed`, error);
        this.#host.send(encodeSpecialReply(MessageType.InternalErrorReply, message.id));
      }
    });
  }

  /** Runs `operation` once the session operations queued before it have ended. */
  #inTurn<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(operation);
    this.#turn = result.catch(() => {});
    return result;
  }

  /** The reply to a client's close-session request (type 31). */
  async #answerClose(message: CloseSessionMessage): Promise<Uint8Array> {
    if (!this.#host.sessionsEnabled) {
      return encodeSpecialReply(MessageType.SessionsDisabledReply, message.id);
    }
    try {
      await this.#detach("destroy");
    } catch (error) {
      // The connection has left the session all the same; the reference answers ok here too.
      this.#host.logger.error("destroying a closed session failed", error);
    }
    return encodeReply({ id: message.id });
  }

  /**
   * Answers a client's restore-session request (type 32). A successful restore sends its reply
   * and then the signals kept for the session while it was offline, in order, and resolves to
   * `undefined`; any other outcome resolves to the reply to send.
   */
  async #answerRestore(message: RestoreSessionMessage): Promise<Uint8Array | undefined> {
    const host = this.#host;
    const refuse = (type: 2 | 3 | 4 | 5) => encodeSpecialReply(type, message.id);
    if (!host.sessionsEnabled) return refuse(MessageType.SessionsDisabledReply);
    const key = message.keyText;
    if (this.#session?.key === key) {
      return encodeReply({ id: message.id, payload: formatSessionJson(this.#session) });
    }
    const closes = host.closes.watch(key);
    try {
      return await this.#restore(message, key, closes, refuse);
    } finally {
      closes.end();
    }
  }

  /**
   * The rest of a restore once `closes` watches for closes of `key`: takes a slot, looks the
   * session up and attaches it, unless a close overtook the lookup.
   */
  async #restore(
    message: RestoreSessionMessage,
    key: string,
    closes: SessionCloseWatch,
    refuse: (type: 2 | 3 | 4 | 5) => Uint8Array,
  ): Promise<Uint8Array | undefined> {
    const host = this.#host;
    let acquired;
    try {
      acquired = await host.lifecycle.acquire(key);
    } catch (error) {
      logRestoreFailure(host, "taking a session slot", error);
      return refuse(MessageType.InternalErrorReply);
    }
    if (!acquired) return refuse(MessageType.MaxSessionConnectionsReply);
    let found;
    try {
      found = await host.sessionManager.onSessionLookup(key);
    } catch (error) {
      logRestoreFailure(host, "session lookup", error);
      // Released as if found: a lookup whose answer was lost (a timeout) may have held the
      // session in the store, which must start its idle clock again if nobody holds it.
      await giveUpRestore(host, key, closes, true);
      return refuse(MessageType.InternalErrorReply);
    }
    host.restoreFailures.reset();
    if (found === null) {
      await giveUpRestore(host, key, closes, false);
      host.lifecycle.lost(key);
      return refuse(MessageType.SessionNotFoundReply);
    }
    if (closes.overtaken) {
      // Closed while the lookup ran (which may have found it first): the closer had it forgotten.
      await giveUpRestore(host, key, closes, false);
      return refuse(MessageType.SessionNotFoundReply);
    }
    if (host.lifecycle.isTooOld(found.creation)) {
      // A manager that does not check the maximum age itself: the server does.
      await giveUpRestore(host, key, closes, false);
      await destroyStoredSession(host, key);
      return refuse(MessageType.SessionNotFoundReply);
    }
    // Another connection of this server may have joined while the lookup ran.
    if (!host.sessions.canJoin(key)) {
      await giveUpRestore(host, key, closes, true);
      return refuse(MessageType.MaxSessionConnectionsReply);
    }
    const session: Session = {
      key,
      creation: found.creation,
      lastLookup: found.lastLookup,
      ...(found.info !== undefined ? { info: found.info } : {}),
    };
    // Detached and attached in one step: a session created by a handler while the old one is
    // being destroyed would otherwise be overwritten and stay in the registry for good.
    const destroyed = this.#detach("destroy");
    if (!host.isOpen) {
      // Found (and so held by the manager) but nobody took it.
      await giveUpRestore(host, key, closes, true);
      await destroyed;
      return undefined;
    }
    this.#attach(session);
    // Signals that came while the slot was taken but the session not yet attached (a cluster's).
    const held = closes.takeHeld();
    // Attached: a holder from now on, no longer a restore under way (a release must not count it).
    closes.end();
    // Signals pushed to the session from now on wait for the reply and the kept ones.
    host.deferPushes();
    // A leave from now on gives its slot back with what is not written, in one step.
    let unwritten = (_: Unwritten | null) => {}, kept: Uint8Array[] | null = null;
    this.#replaying = new Promise((resolve) => unwritten = resolve);
    // kept null: the take failed (it may not have run: the held signals go after what is kept).
    try {
      kept = await host.lifecycle.takeOfflineSignals(key);
    } catch (error) {
      logRestoreFailure(host, "taking the signals kept for a session", error);
    }
    // In order while open: a close (as the take ran, or of a slow reader by the replay) stops
    // it; what was taken, held or pushed meanwhile and not written goes back with the leave.
    const replay = [...(kept ?? []), ...held];
    let written = 0;
    try {
      host.send(encodeReply({ id: message.id, payload: formatSessionJson(session) }));
      while (written < replay.length && host.isOpen) host.send(replay[written++]);
    } finally {
      this.#replaying = null;
      let given: Unwritten | null = null;
      try {
        // Also after a send that threw: pushes must not pile up.
        given = unwrittenOf(kept, held, written, host.resumePushes(key));
      } finally {
        unwritten(given); // a leave waits for it
      }
      // Still attached (a send threw): sent again as the session's.
      if (given !== null && this.#session === session) {
        host.lifecycle.signalAgain(key, given.taken, given.held);
      }
    }
    // Answered already: a failed destroy of the session left is logged (and tried again later).
    await destroyed.catch((error) => host.logger.error("destroying a left session failed", error));
    return undefined;
  }

  /** Forgets a stored session nobody got; when that fails, it is tried again for a while. */
  #attach(session: Session): void {
    this.#session = session;
    const holders = this.#host.sessions.register(session.key, this.#host.owner);
    if (holders === 1) this.#host.lifecycle.held(session);
  }

  /** Detaches the session held, if any (see {@link detachSession}). */
  #detach(then: "destroy" | "keep" | "closed", unwritten?: Promise<Unwritten | null>) {
    const session = this.#session;
    if (session === null) return Promise.resolve();
    this.#session = null;
    return detachSession(this.#host, session, then, unwritten);
  }
}
