/**
 * The Hono adapter on Node, where `@hono/node-ws` upgrades with the `ws` package: what Hono's
 * helper leaves to the adapter there. {@link limitNodeWebSocketServer} gives `ws` the server's
 * message size limit, so that `ws` refuses an over-size message from its frame header (1009)
 * instead of buffering it whole first (up to `ws`'s default of 100 MiB). Once a socket is open,
 * the adapter serves it through `ws`'s own socket and hands `ws`'s frame errors to the core,
 * which then reports the violation and drops the socket within `closeTimeout`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createNodeWebSocket } from "@hono/node-ws";
 * import { Server } from "@webwire/webwire/server";
 * import { honoHandler, limitNodeWebSocketServer } from "@webwire/webwire/adapters/hono";
 *
 * const server = new Server({ messageBufferSize: 64 * 1024 });
 * const app = new Hono();
 * const { upgradeWebSocket, wss } = createNodeWebSocket({ app });
 * limitNodeWebSocketServer(server, wss);
 * app.get("/ws", honoHandler(server, upgradeWebSocket));
 * console.assert(wss.options.maxPayload === 64 * 1024);
 * await server.shutdown();
 * ```
 * @module
 */

import { CloseCode } from "../server/close_codes.ts";
import type { Server } from "../server/server.ts";
import type { TransportEvents, TransportSocket } from "../server/transport.ts";

/**
 * The part of `ws`'s `WebSocketServer` (the `wss` that `createNodeWebSocket` of
 * `@hono/node-ws` returns) that {@link limitNodeWebSocketServer} sets.
 *
 * @example
 * ```ts
 * import type { NodeWebSocketServerLike } from "@webwire/webwire/adapters/hono";
 * const wss: NodeWebSocketServerLike = { options: { maxPayload: 100 * 1024 * 1024 } };
 * console.assert(wss.options.maxPayload === 104857600); // ws's default
 * ```
 */
export interface NodeWebSocketServerLike {
  /** The server's options, which `ws` reads again for every socket it accepts. */
  readonly options: { maxPayload?: number };
}

/**
 * Makes `ws`'s `WebSocketServer` refuse messages over `server.limits.messageBufferSize` as soon
 * as a frame header announces one: `ws` closes with 1009 before reading the payload, and the
 * core reports the violation. Without it, `ws` buffers a message whole, up to its default
 * `maxPayload` of 100 MiB, before the core sees it is too big. Call it once, with the `wss` of
 * `createNodeWebSocket({ app })`, before the server accepts connections; it applies to every
 * WebSocket route of that `createNodeWebSocket`, the app's own included.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createNodeWebSocket } from "@hono/node-ws";
 * import { Server } from "@webwire/webwire/server";
 * import { limitNodeWebSocketServer } from "@webwire/webwire/adapters/hono";
 *
 * const server = new Server({ messageBufferSize: 4096 });
 * const { wss } = createNodeWebSocket({ app: new Hono() });
 * limitNodeWebSocketServer(server, wss);
 * console.assert(wss.options.maxPayload === 4096);
 * await server.shutdown();
 * ```
 */
export function limitNodeWebSocketServer(server: Server, wss: NodeWebSocketServerLike): void {
  wss.options.maxPayload = server.limits.messageBufferSize;
}

/** The part of `ws`'s `WebSocket` the adapter uses. */
interface WsSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: "error", listener: (error: Error & { code?: unknown }) => void): unknown;
}

/**
 * Whether Hono's socket context holds a `ws` socket (as under `@hono/node-ws`).
 *
 * @example
 * ```ts
 * import { isWsSocket } from "./hono_node.ts";
 * // @ts-types="npm:@types/ws@^8.18.1"
 * import { WebSocket } from "ws";
 * console.assert(isWsSocket(Object.create(WebSocket.prototype)));
 * console.assert(!isWsSocket({ send() {}, close() {} })); // Hono's WSContext itself
 * ```
 */
export function isWsSocket(raw: unknown): raw is WsSocketLike {
  const socket = raw as Partial<WsSocketLike> | undefined;
  return typeof socket?.on === "function" && typeof socket.terminate === "function" &&
    typeof socket.send === "function";
}

/**
 * The close code `ws` sends for each of its frame errors (`error.code`), as the code the core
 * reports: 1007 for text that is not UTF-8, 1009 for a message over `maxPayload`, 1008 for a
 * message in too many fragments; the others (no mask, reserved bits, a bad opcode, control
 * frame or close code) are 1002.
 */
const closeCodes: Readonly<Record<string, number>> = {
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MessageTooBig,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: CloseCode.MessageTooBig,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: CloseCode.PolicyViolation,
};

/**
 * `ws`'s socket under `@hono/node-ws`. On a frame error `ws` sends its close frame at once,
 * stops reading and emits `error`, then waits 30 s of its own for the peer's close: the
 * transport reports the error to the core (`failed`), whose close deadline then drops the
 * socket within `closeTimeout`, with the violation hooks called as on the other adapters.
 * Replies the handlers still send after the error are lost, as `ws` has closed already.
 *
 * @example
 * ```ts
 * import { EventEmitter } from "node:events";
 * import { WsSocketTransport } from "./hono_node.ts";
 * // A stand-in for ws's socket that reports an unmasked frame, as ws does.
 * const socket = Object.assign(new EventEmitter(), {
 *   readyState: 1,
 *   bufferedAmount: 0,
 *   send() {},
 *   close() {},
 *   terminate() {},
 * });
 * const failures: string[] = [];
 * const transport = new WsSocketTransport(socket);
 * transport.watch({
 *   message() {},
 *   closed() {},
 *   drained() {},
 *   failed: (code, reason) => void failures.push(`${code} ${reason}`),
 * });
 * const error = Object.assign(new RangeError("MASK must be set"), { code: "WS_ERR_EXPECTED_MASK" });
 * socket.emit("error", error);
 * console.assert(failures[0] === "1002 MASK must be set");
 * ```
 */
export class WsSocketTransport implements TransportSocket {
  readonly #socket: WsSocketLike;

  constructor(socket: WsSocketLike) {
    this.#socket = socket;
  }

  /** Starts handing `ws`'s frame errors to the core. */
  watch(events: TransportEvents): void {
    this.#socket.on("error", (error) => {
      const code = typeof error.code === "string" ? closeCodes[error.code] : undefined;
      events.failed?.(code ?? CloseCode.ProtocolViolation, error.message);
    });
  }

  send(bytes: Uint8Array): void {
    if (this.#socket.readyState === 1) this.#socket.send(bytes);
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    this.#socket.terminate();
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }
}

/**
 * The `onError` option the adapter gives Hono's helper: `@hono/node-ws` calls it with what its
 * event wrappers throw (else it prints them with `console.error`). Where Node has no global
 * `ErrorEvent` (Node 20), the helper's own `error` listener throws a `ReferenceError` building
 * one for every frame error; {@link WsSocketTransport} has taken the error from `ws` already, so
 * that one is dropped and anything else printed, as the helper would.
 *
 * @example
 * ```ts
 * import { reportHelperError } from "./hono_node.ts";
 * const printed: unknown[] = [];
 * const print = console.error;
 * console.error = (error: unknown) => void printed.push(error);
 * reportHelperError(new Error("an event handler threw")); // printed, as the helper would
 * console.error = print;
 * console.assert(printed.length === 1);
 * ```
 */
export function reportHelperError(error: unknown): void {
  if (error instanceof ReferenceError && typeof ErrorEvent === "undefined") return;
  console.error(error);
}
