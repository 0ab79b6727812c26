/**
 * What the Deno floors of the e2e benchmark share: `Deno.serve` with `Deno.upgradeWebSocket` and
 * no idle timeout (as the Deno adapter), the reference accept-conf on open, and each binary
 * message handed to `answer` as bytes; text messages are dropped. Announces its port.
 *
 * @module
 */

import { acceptConf, announce, hostname } from "./serve_args.ts";

/** Serves the floor whose answer to each binary message is `answer`'s. */
export function serveDenoFloor(answer: (socket: WebSocket, message: ArrayBuffer) => void): void {
  const http = Deno.serve({ port: 0, hostname, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    socket.binaryType = "arraybuffer";
    socket.onopen = () => socket.send(acceptConf as Uint8Array<ArrayBuffer>);
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") answer(socket, event.data as ArrayBuffer);
    };
    socket.onerror = () => {};
    return response;
  });
  announce(http.addr.port);
}
