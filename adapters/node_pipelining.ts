/**
 * An upgrade request pipelined behind other requests on one keep-alive connection: `node:http`
 * hands it to the `upgrade` listener at once, while the responses to the earlier requests may
 * still be on their way. Its answer (a `101` and WebSocket frames, or a refusal) must wait for
 * them, or the earlier response's bytes would land inside the WebSocket stream. Internal to the
 * Node adapter.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { earlierResponsesSent } from "./node_pipelining.ts";
 * createServer().on("upgrade", async (_request, socket) => {
 *   await earlierResponsesSent(socket);
 *   socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
 * });
 * ```
 * @module
 */

import type { Duplex } from "node:stream";

/**
 * What Node's `http` server keeps on a connection's socket: the response that owns it, from the
 * start of a request's answer until it is written (the next pipelined one then takes its place).
 */
interface OwnedSocket {
  _httpMessage?: PendingResponse | null;
}

/** The part of Node's `ServerResponse` looked at here. */
interface PendingResponse {
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * Resolves once every response to a request that came before the upgrade on `socket` has been
 * written (or the socket is closed). At once when none is pending, and on runtimes whose
 * `node:http` keeps no such response on the socket (Deno's, Bun's).
 *
 * @example
 * ```ts ignore
 * import { earlierResponsesSent } from "./node_pipelining.ts";
 * // In an `upgrade` listener, before answering on the socket:
 * await earlierResponsesSent(socket);
 * ```
 */
export async function earlierResponsesSent(socket: Duplex): Promise<void> {
  for (;;) {
    const pending = (socket as OwnedSocket)._httpMessage;
    if (typeof pending?.once !== "function" || socket.destroyed) return;
    if (pending.writableFinished === true || pending.destroyed === true) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        pending.off("finish", done);
        pending.off("close", done);
        socket.off("close", done);
        resolve();
      };
      pending.once("finish", done);
      pending.once("close", done);
      socket.once("close", done);
    });
    // Node gives the socket to the next pipelined response as the earlier one finishes.
    if ((socket as OwnedSocket)._httpMessage === pending) return;
  }
}
