/**
 * The protocol's floor on Deno: the least any WebWire server on `Deno.serve` must do for the
 * benchmark's echo, written by hand. Like the raw echo (`raw_echo_deno.ts`) it sends the
 * reference accept-conf on open and drops signals; unlike it, it answers a request as the
 * protocol wants, with a reply of its own (type 191, the request's id, its payload) written into
 * one reused buffer and sent as a view, where the raw echo sends the request's own bytes back.
 * What our server costs above this is the library's; what this costs above the raw echo is the
 * protocol's. Not in the default run: `node bench/e2e/measure.mjs --only
 * webwire-deno,raw-deno,floor-deno`.
 *
 * @module
 */

import { serveDenoFloor } from "./deno_floor_server.ts";

/** Replies are written here and sent as views: Deno's `send` copies before it returns. */
let scratch = new Uint8Array(64 * 1024);

serveDenoFloor((socket, data) => {
  const bytes = new Uint8Array(data);
  const type = bytes[0];
  if (type < 127 || type > 129 || bytes.length < 11) return; // signals, heartbeats
  const payloadAt = 10 + bytes[9] + (type === 129 ? bytes[9] & 1 : 0);
  const length = 9 + bytes.length - payloadAt;
  if (scratch.length < length) scratch = new Uint8Array(length);
  scratch[0] = 191;
  scratch.set(bytes.subarray(1, 9), 1);
  scratch.set(bytes.subarray(payloadAt), 9);
  socket.send(scratch.subarray(0, length));
});
