/**
 * One connection of a real server core on an in-process socket that the test drives: it records
 * what the server sends and the violations it reports, reports as many queued bytes as the test
 * says, and closes at once when the server closes it. For tests that need exact control of the
 * socket's send buffer or of re-entrant deliveries, which real sockets cannot give.
 *
 * @example
 * ```ts
 * import { inProcessConnection } from "./in_process_connection.ts";
 * import { encodeRequest } from "../protocol/mod.ts";
 * const connection = inProcessConnection({ onRequest: (request) => request.payload });
 * connection.events.message(encodeRequest({ id: new Uint8Array(8), name: "echo", payload: "hi" }));
 * console.assert(connection.replies() === 1);
 * await connection.server.shutdown();
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { ProtocolViolation, ServerOptions } from "../server/options.ts";
import { Server } from "../server/server.ts";
import type { TransportEvents } from "../server/transport.ts";

/**
 * What {@link inProcessConnection} returns.
 *
 * @example
 * ```ts
 * import type { InProcessConnection } from "./in_process_connection.ts";
 * const stalled = (connection: InProcessConnection) => connection.queued = 1_000_000;
 * console.assert(typeof stalled === "function");
 * ```
 */
export interface InProcessConnection {
  /** The server (shut it down at the end of the test). */
  readonly server: Server;
  /** The connection's transport events: deliver messages with `events.message`. */
  readonly events: TransportEvents;
  /** Everything the server sent, in order. */
  readonly sent: Uint8Array[];
  /** The violations reported to the `onProtocolViolation` hook (unless the options set one). */
  readonly violations: ProtocolViolation[];
  /** The bytes the socket reports as queued (`bufferedAmount`); 0 at first. */
  queued: number;
  /** The code of the close the server sent, if it closed. */
  readonly closedWith: number | undefined;
  /** Called with every message the server sends, after it was recorded. */
  onSend: (bytes: Uint8Array) => void;
  /** How many replies the server sent. */
  replies(): number;
}

/**
 * Makes a server with `options` (logging nothing unless they say otherwise) and accepts one
 * in-process connection.
 *
 * @example
 * ```ts
 * import { inProcessConnection } from "./in_process_connection.ts";
 * const connection = inProcessConnection({});
 * connection.events.message("a text frame"); // a violation: the server closes with 1003
 * console.assert(connection.violations[0].kind === "text-frame");
 * await connection.server.shutdown();
 * ```
 */
export function inProcessConnection(options: ServerOptions): InProcessConnection {
  const violations: ProtocolViolation[] = [];
  const server = new Server({
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void violations.push(violation),
    ...options,
  });
  return acceptInProcess(server, violations);
}

/**
 * Accepts one more in-process connection on `server` (one server, several clients);
 * `violations` is what the connection reports as its violations (the server's hook fills it).
 *
 * @example
 * ```ts
 * import { acceptInProcess } from "./in_process_connection.ts";
 * import { Server } from "../server/server.ts";
 * import { encodeRequest } from "../protocol/mod.ts";
 * const server = new Server({ onRequest: () => "hi" });
 * const [first, second] = [acceptInProcess(server), acceptInProcess(server)];
 * second.events.message(encodeRequest({ id: new Uint8Array(8), name: "x" }));
 * console.assert(first.replies() === 0 && second.replies() === 1);
 * await server.shutdown();
 * ```
 */
export function acceptInProcess(
  server: Server,
  violations: ProtocolViolation[] = [],
): InProcessConnection {
  const sent: Uint8Array[] = [];
  const connection: InProcessConnection = {
    server,
    events: undefined as unknown as TransportEvents,
    sent,
    violations,
    queued: 0,
    closedWith: undefined,
    onSend: () => {},
    replies: () => sent.filter((bytes) => decodeMessage(bytes).kind === "reply").length,
  };
  const state = connection as { events: TransportEvents; closedWith: number | undefined };
  state.events = server.accept({
    send: (bytes) => {
      sent.push(bytes);
      connection.onSend(bytes);
    },
    get bufferedAmount() {
      return connection.queued;
    },
    // The socket is gone at once, as with a peer that answers the close frame at once.
    close: (code, reason) => {
      state.closedWith = code;
      queueMicrotask(() => state.events.closed(code, reason));
    },
    terminate: () => queueMicrotask(() => state.events.closed(1006, "")),
  });
  return connection;
}
