/**
 * The floor under our Deno server: `Deno.serve` with `Deno.upgradeWebSocket`, sending the
 * reference accept-conf on open and every binary frame back as it came, except signals
 * (first byte 63 to 65), which it drops as a server without a signal handler would.
 *
 * @module
 */

import { serveDenoFloor } from "./deno_floor_server.ts";

serveDenoFloor((socket, data) => {
  const type = new Uint8Array(data, 0, 1)[0];
  if (type >= 63 && type <= 65) return;
  socket.send(data);
});
