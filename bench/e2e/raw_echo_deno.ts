/**
 * The floor under our Deno server: `Deno.serve` with `Deno.upgradeWebSocket`, sending the
 * reference accept-conf on open and every binary frame back as it came, except signals
 * (first byte 63 to 65), which it drops as a server without a signal handler would.
 *
 * @module
 */

import { acceptConf, announce, hostname } from "./serve_args.ts";

const http = Deno.serve({ port: 0, hostname, onListen: () => {} }, (request) => {
  // As the Deno adapter (and the Bun floor, as the Bun adapter): no idle timeout.
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
  socket.binaryType = "arraybuffer";
  socket.onopen = () => socket.send(acceptConf as Uint8Array<ArrayBuffer>);
  socket.onmessage = (event) => {
    const data = event.data;
    if (typeof data === "string") return;
    const type = new Uint8Array(data as ArrayBuffer, 0, 1)[0];
    if (type >= 63 && type <= 65) return;
    socket.send(data as ArrayBuffer);
  };
  socket.onerror = () => {};
  return response;
});
announce(http.addr.port);
