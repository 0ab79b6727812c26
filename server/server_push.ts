/**
 * The server's push operations on its own connections, and what the cluster asks of them:
 * every operation is "deliver here" plus "ask the other nodes to do the same". Internal to the
 * server core; `Server.broadcast`, `publish`, `signalSession` and the cluster's deliveries use it.
 *
 * @example
 * ```ts
 * import { signalBytes } from "./server_push.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * const message = decodeMessage(signalBytes("tick", "1", undefined));
 * console.assert(message.kind === "signal" && message.nameText === "tick");
 * ```
 * @module
 */

import { encodeSignal, type SignalFields } from "../protocol/encode_payload_message.ts";
import type { Logger } from "../protocol/logger.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import type { Payload } from "../protocol/payload.ts";
import type { ClusterMessage } from "./cluster.ts";
import type { ClusterLink } from "./cluster_link.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionState } from "./connection_state.ts";
import type { OfflineSignals } from "./offline_signals.ts";
import { detachHolders } from "./forgotten_sessions.ts";
import { payloadParts } from "./reply_bytes.ts";
import type { SessionCloses } from "./session_closes.ts";
import type { SessionRegistry } from "./session_registry.ts";
import type { BroadcastOptions, PublishOptions } from "./signal_options.ts";
import type { TopicRegistry } from "./topic_registry.ts";

/**
 * A server signal's bytes, encoded once for every receiver by `encode` (`encodeSignal`; a
 * signal to one socket that copies on send may use `encodeSignalInScratch`).
 *
 * @throws {RangeError} for a bad name, or neither name nor payload.
 * @example
 * ```ts
 * import { signalBytes } from "./server_push.ts";
 * console.assert(signalBytes("", "x", "utf16").length > 0);
 * ```
 */
export function signalBytes(
  name: string,
  payload: Payload | Uint8Array | string,
  encoding: PayloadEncoding | undefined,
  encode: (fields: SignalFields) => Uint8Array = encodeSignal,
): Uint8Array {
  const [input, resolved] = payloadParts(payload, encoding);
  return encode({ name, payload: input, encoding: resolved });
}

/**
 * What pushing works on: the server's connections and registries, its offline store and its
 * cluster link.
 *
 * @example
 * ```ts
 * import { type PushParts, ServerPush, signalBytes } from "./server_push.ts";
 * import { ClusterLink } from "./cluster_link.ts";
 * import { OfflineSignals } from "./offline_signals.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { TopicRegistry } from "./topic_registry.ts";
 * // A server on its own, without connections and with sessions disabled.
 * const parts: PushParts = {
 *   connections: new Set(), topics: new TopicRegistry(), sessions: new SessionRegistry(0),
 *   sessionCloses: new SessionCloses(), offline: new OfflineSignals({}),
 *   cluster: new ClusterLink(null, console, undefined), sessionsEnabled: false, logger: console,
 * };
 * new ServerPush(parts).signalSession("key", signalBytes("mail", "1", undefined));
 * console.assert(parts.offline?.sessionCount === 0); // no sessions: nothing kept for later
 * ```
 */
export interface PushParts {
  /** The open connections. */
  readonly connections: ReadonlySet<ConnectionState>;
  /** Which connections subscribed to which topic. */
  readonly topics: TopicRegistry<ConnectionState>;
  /** Which connections hold which session. */
  readonly sessions: SessionRegistry<ConnectionState>;
  /** The session closes running, and the restores they overtake. */
  readonly sessionCloses: SessionCloses;
  /** Signals kept for offline sessions (without a cluster), or `null` when none are kept. */
  readonly offline: OfflineSignals | null;
  /** The cluster, if any. */
  readonly cluster: ClusterLink;
  /** Whether sessions are enabled. */
  readonly sessionsEnabled: boolean;
  /** Where failures go. */
  readonly logger: Logger;
}

/**
 * Pushes encoded signals to this server's connections and relays them to the other nodes.
 *
 * @example
 * ```ts
 * import { ServerPush, signalBytes } from "./server_push.ts";
 * import { ClusterLink } from "./cluster_link.ts";
 * import { OfflineSignals } from "./offline_signals.ts";
 * import { SessionCloses } from "./session_closes.ts";
 * import { SessionRegistry } from "./session_registry.ts";
 * import { TopicRegistry } from "./topic_registry.ts";
 * const offline = new OfflineSignals({});
 * const push = new ServerPush({
 *   connections: new Set(), topics: new TopicRegistry(), sessions: new SessionRegistry(0),
 *   sessionCloses: new SessionCloses(), offline,
 *   cluster: new ClusterLink(null, console, undefined), sessionsEnabled: true, logger: console,
 * });
 * // No connection holds session "key": the signal reaches nobody now and is kept for later.
 * console.assert(push.signalSession("key", signalBytes("mail", "1", undefined)) === 0);
 * console.assert(offline.take("key").length === 1);
 * ```
 */
export class ServerPush {
  readonly #parts: PushParts;

  /** Works on `parts`. */
  constructor(parts: PushParts) {
    this.#parts = parts;
  }

  /**
   * To every open connection (or those `filter` accepts) but `except`; without a filter, on
   * every node.
   */
  broadcast(bytes: Uint8Array, options: BroadcastOptions = {}): number {
    const { filter, except } = options;
    const sent = this.#broadcastLocally(bytes, filter, except);
    if (filter === undefined) this.#parts.cluster.relay({ kind: "broadcast", signal: bytes });
    return sent;
  }

  /** To the subscribers of `topic` but `except`, on every node. */
  publish(topic: string, bytes: Uint8Array, options: PublishOptions = {}): number {
    this.#parts.cluster.relay({ kind: "publish", topic, signal: bytes });
    return pushTo(this.#parts.topics.subscribers(topic), bytes, undefined, options.except);
  }

  /** To the holders of session `key`, on every node; kept when nobody holds it. */
  signalSession(key: string, bytes: Uint8Array): number {
    const { cluster, offline, sessions, sessionsEnabled } = this.#parts;
    const holders = sessions.holders(key);
    if (cluster.cluster !== null) {
      // The cluster delivers it where the session is held, or keeps it if it is held nowhere;
      // a restore of the session here has taken its slot, and gets it once it has attached.
      // Delivered here: held, never to be kept (the cluster may have taken this node for dead).
      const keep = holders.size === 0;
      cluster.relay({ kind: "signal-session", key, signal: bytes, ...(keep ? {} : { keep }) });
      this.#parts.sessionCloses.hold(key, bytes);
    } else if (holders.size === 0 && sessionsEnabled) {
      offline?.keep(key, bytes);
    }
    return pushTo(holders, bytes, key);
  }

  /**
   * Sends a signal to session `key` again, after a restore that took or held it could not
   * deliver it: as {@link ServerPush.signalSession}, or, when `delivered` (it reached every
   * connection holding the session when it was first sent), only kept if nobody holds it.
   */
  signalAgain(key: string, bytes: Uint8Array, delivered: boolean): void {
    if (!delivered) return void this.signalSession(key, bytes);
    const { cluster, offline, sessions, sessionsEnabled } = this.#parts;
    if (cluster.cluster !== null) {
      cluster.relay({ kind: "signal-session", key, signal: bytes, delivered });
    } else if (sessions.holders(key).size === 0 && sessionsEnabled) {
      offline?.keep(key, bytes);
    }
  }

  /** What another node of the cluster published, for this server's connections. */
  deliver(message: ClusterMessage): void {
    const { topics, sessions, logger } = this.#parts;
    switch (message.kind) {
      case "broadcast":
        this.#broadcastLocally(message.signal);
        return;
      case "publish":
        pushTo(topics.subscribers(message.topic), message.signal);
        return;
      case "signal-session":
        this.#parts.sessionCloses.hold(message.key, message.signal);
        pushTo(sessions.holders(message.key), message.signal, message.key);
        return;
      case "close-session":
        // The node that closed it has had the session manager forget it; here holders are
        // told, and restores of it still looking it up fail (they may have found it before).
        this.#parts.sessionCloses.overtake(message.key);
        detachHolders(sessions, message.key).catch((error) =>
          logger.error("closing a session for the cluster failed", error)
        );
    }
  }

  #broadcastLocally(
    bytes: Uint8Array,
    filter?: (connection: Connection) => boolean,
    except?: Connection,
  ): number {
    let sent = 0;
    if (filter === undefined) {
      for (const state of this.#parts.connections) {
        if (!state.isOpen || state.connection === except) continue;
        state.push(bytes);
        sent++;
      }
      return sent;
    }
    // Every connection is asked before any is sent to: a filter that throws sends to nobody.
    const chosen: ConnectionState[] = [];
    for (const state of this.#parts.connections) {
      if (state.isOpen && state.connection !== except && filter(state.connection)) {
        chosen.push(state);
      }
    }
    for (const state of chosen) {
      // A push may close a slow reader, whose hooks run later: the others are still open.
      if (!state.isOpen) continue;
      state.push(bytes);
      sent++;
    }
    return sent;
  }
}

/** Pushes `bytes` (a signal to session `sessionKey`, if given) to each connection of a set. */
function pushTo(
  states: ReadonlySet<ConnectionState>,
  bytes: Uint8Array,
  sessionKey?: string,
  except?: Connection,
): number {
  let sent = 0;
  for (const state of states) {
    if (state.connection === except) continue;
    state.push(bytes, sessionKey);
    sent++;
  }
  return sent;
}
