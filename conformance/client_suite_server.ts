/**
 * The scripted server of the live client suite: a plain WebSocket server (`Deno.serve` under
 * Deno, `Bun.serve` under Bun, on 127.0.0.1) that sends whatever bytes a check tells it to and
 * queues every frame a client sends, with its arrival time, for the check to inspect. It speaks
 * no protocol by itself: the checks build each message with the codec's encoders.
 *
 * @example
 * ```ts
 * import { startScriptServer } from "./client_suite_server.ts";
 * const server = await startScriptServer();
 * console.assert(server.url("heartbeat").endsWith("/heartbeat"));
 * await server.close();
 * ```
 * @module
 */

import { decodeMessage } from "../protocol/decode.ts";
import type { Message } from "../protocol/message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import {
  type RawServerSocket,
  type RawSocketServer,
  serveRawSockets,
} from "./raw_socket_server.ts";
import { WaitQueue } from "./wait_queue.ts";

/**
 * One frame a client sent: the decoded message, or why it is not one.
 *
 * @example
 * ```ts
 * import type { ClientFrame } from "./client_suite_server.ts";
 * const frame: ClientFrame = { at: 0, invalid: "a text frame" };
 * console.assert(frame.message === undefined);
 * ```
 */
export interface ClientFrame {
  /** Arrival time (`performance.now()`). */
  at: number;
  /** The decoded message of a well-formed binary frame. */
  message?: Message;
  /** Set instead of `message`: a text frame or a malformed message, described. */
  invalid?: string;
}

/**
 * One client connection as the scripted server sees it.
 *
 * @example
 * ```ts
 * import { type ScriptConnection, startScriptServer } from "./client_suite_server.ts";
 * const server = await startScriptServer();
 * const socket = new WebSocket(server.url("raw"));
 * await new Promise((resolve) => socket.onopen = resolve);
 * const connection: ScriptConnection = (await server.nextConnection(1000))!;
 * socket.send(new Uint8Array([33])); // a heartbeat
 * socket.send("hello"); // not a WebWire message
 * console.assert((await connection.next(1000))?.message?.kind === "heartbeat");
 * console.assert((await connection.next(1000))?.invalid === "a text frame (5 chars)");
 * const closed = new Promise((resolve) => socket.onclose = resolve);
 * connection.close(4000, "check done");
 * await closed;
 * await server.close();
 * ```
 */
export interface ScriptConnection {
  /** The request path, such as `/heartbeat`. */
  readonly path: string;
  /** When the connection opened (`performance.now()`). */
  readonly openedAt: number;
  /** Every frame received so far, oldest first (including the ones `next` handed out). */
  readonly frames: readonly ClientFrame[];
  /** Whether the connection has closed. */
  readonly isClosed: boolean;
  /** Sends one binary frame; ignored once closed. */
  send(bytes: Uint8Array): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
  /** The next frame not yet handed out; `undefined` after `timeoutMs` or once closed. */
  next(timeoutMs: number): Promise<ClientFrame | undefined>;
}

/**
 * A running scripted server.
 *
 * @example
 * ```ts
 * import { type ScriptServer, startScriptServer } from "./client_suite_server.ts";
 * const server: ScriptServer = await startScriptServer();
 * const socket = new WebSocket(server.url("heartbeat"));
 * const connection = await server.nextConnection(1000);
 * console.assert(connection?.path === "/heartbeat" && server.connectionCount === 1);
 * const closed = new Promise((resolve) => socket.onclose = resolve);
 * await server.close(); // closes the connection too
 * await closed;
 * ```
 */
export interface ScriptServer {
  /** The URL of a scenario: `ws://127.0.0.1:<port>/<scenario>`. */
  url(scenario: string): string;
  /** How many connections were opened so far. */
  readonly connectionCount: number;
  /** The next connection not yet handed out; `undefined` after `timeoutMs`. */
  nextConnection(timeoutMs: number): Promise<ScriptConnection | undefined>;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

function frameOf(data: Uint8Array | string): ClientFrame {
  const at = performance.now();
  if (typeof data === "string") return { at, invalid: `a text frame (${data.length} chars)` };
  try {
    return { at, message: decodeMessage(data) };
  } catch (error) {
    if (error instanceof ProtocolError) {
      return { at, invalid: `a malformed message (${error.reason}, first byte ${data[0]})` };
    }
    throw error;
  }
}

class Connection implements ScriptConnection {
  readonly path: string;
  readonly openedAt = performance.now();
  readonly #socket: RawServerSocket;
  readonly #frames = new WaitQueue<ClientFrame>();

  constructor(path: string, socket: RawServerSocket) {
    this.path = path;
    this.#socket = socket;
  }

  get frames(): readonly ClientFrame[] {
    return this.#frames.all;
  }

  get isClosed(): boolean {
    return this.#frames.ended;
  }

  received(data: Uint8Array | string): void {
    this.#frames.push(frameOf(data));
  }

  closed(): void {
    this.#frames.end();
  }

  close(code = 1000, reason = ""): void {
    this.#socket.close(code, reason);
  }

  send(bytes: Uint8Array): void {
    if (!this.isClosed) this.#socket.send(bytes);
  }

  next(timeoutMs: number): Promise<ClientFrame | undefined> {
    return this.#frames.next(timeoutMs);
  }
}

/**
 * Starts a scripted server on a free port of 127.0.0.1.
 *
 * @throws {Error} outside Deno and Bun.
 * @example
 * ```ts
 * import { startScriptServer } from "./client_suite_server.ts";
 * const server = await startScriptServer();
 * console.assert((await server.nextConnection(10)) === undefined);
 * await server.close();
 * ```
 */
export function startScriptServer(): Promise<ScriptServer> {
  const connections = new WaitQueue<Connection>();
  let server: RawSocketServer;
  try {
    server = serveRawSockets((socket, path) => {
      const connection = new Connection(path, socket);
      connections.push(connection);
      return { message: (data) => connection.received(data), close: () => connection.closed() };
    });
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve({
    url: (scenario) => `ws://127.0.0.1:${server.port}/${scenario}`,
    get connectionCount() {
      return connections.all.length;
    },
    nextConnection: (timeoutMs) => connections.next(timeoutMs),
    close: () => server.close(1001, "suite done"),
  });
}
