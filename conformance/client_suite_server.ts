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
 * import type { ScriptConnection } from "./client_suite_server.ts";
 * const greet = (c: ScriptConnection) => c.send(new Uint8Array([22]));
 * console.assert(typeof greet === "function");
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
 * import type { ScriptServer } from "./client_suite_server.ts";
 * const first = (s: ScriptServer) => s.nextConnection(1000);
 * console.assert(typeof first === "function");
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

function frameOf(data: unknown): ClientFrame {
  const at = performance.now();
  if (typeof data === "string") return { at, invalid: `a text frame (${data.length} chars)` };
  const bytes = data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array((data as Uint8Array).slice());
  try {
    return { at, message: decodeMessage(bytes) };
  } catch (error) {
    if (error instanceof ProtocolError) {
      return { at, invalid: `a malformed message (${error.reason}, first byte ${bytes[0]})` };
    }
    throw error;
  }
}

interface RawSocket {
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

class Connection implements ScriptConnection {
  readonly path: string;
  readonly openedAt = performance.now();
  readonly #socket: RawSocket;
  readonly #frames = new WaitQueue<ClientFrame>();

  constructor(path: string, socket: RawSocket) {
    this.path = path;
    this.#socket = socket;
  }

  get frames(): readonly ClientFrame[] {
    return this.#frames.all;
  }

  get isClosed(): boolean {
    return this.#frames.ended;
  }

  received(data: unknown): void {
    this.#frames.push(frameOf(data));
  }

  closed(): void {
    this.#frames.end();
  }

  send(bytes: Uint8Array): void {
    if (this.isClosed) return;
    try {
      this.#socket.send(bytes);
    } catch {
      // The socket is closing; the check sees it as closed soon.
    }
  }

  close(code = 1000, reason = ""): void {
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  next(timeoutMs: number): Promise<ClientFrame | undefined> {
    return this.#frames.next(timeoutMs);
  }
}

interface BunSocket {
  data: { path: string; connection?: Connection };
  sendBinary(data: Uint8Array): number;
  close(code?: number, reason?: string): void;
}

interface BunGlobal {
  serve(options: {
    port: number;
    hostname: string;
    fetch(
      request: Request,
      server: { upgrade(request: Request, options: { data: { path: string } }): boolean },
    ): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, data: string | Uint8Array): void;
      close(ws: BunSocket): void;
      idleTimeout: number;
    };
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
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
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  let port: number;
  let stop: () => Promise<void>;
  if (bun !== undefined) {
    const server = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request, server) {
        const path = new URL(request.url).pathname;
        if (server.upgrade(request, { data: { path } })) return undefined;
        return new Response("expected a WebSocket upgrade\n", { status: 426 });
      },
      websocket: {
        open(ws) {
          const connection = new Connection(ws.data.path, {
            send: (bytes) => void ws.sendBinary(bytes),
            close: (code, reason) => ws.close(code, reason),
          });
          ws.data.connection = connection;
          connections.push(connection);
        },
        message: (ws, data) => ws.data.connection?.received(data),
        close: (ws) => ws.data.connection?.closed(),
        idleTimeout: 0,
      },
    });
    port = server.port;
    stop = async () => void await server.stop(true);
  } else if ("Deno" in globalThis) {
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket upgrade\n", { status: 426 });
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      const connection = new Connection(new URL(request.url).pathname, {
        send: (bytes) => socket.send(bytes as Uint8Array<ArrayBuffer>),
        close: (code, reason) => socket.close(code, reason),
      });
      socket.onopen = () => connections.push(connection);
      socket.onmessage = (event) => connection.received(event.data);
      socket.onclose = () => connection.closed();
      socket.onerror = () => {};
      return response;
    });
    port = server.addr.port;
    stop = () => server.shutdown();
  } else {
    return Promise.reject(new Error("the client suite's scripted server needs Deno or Bun"));
  }
  return Promise.resolve({
    url: (scenario) => `ws://127.0.0.1:${port}/${scenario}`,
    get connectionCount() {
      return connections.all.length;
    },
    nextConnection: (timeoutMs) => connections.next(timeoutMs),
    close: async () => {
      for (const connection of connections.all) connection.close(1001, "suite done");
      await stop();
    },
  });
}
