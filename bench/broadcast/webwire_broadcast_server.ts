/**
 * Our server for the broadcast benchmark, on the runtime's adapter (`Bun.serve` under Bun,
 * `Deno.serve` under Deno, `ws` on `node:http` under Node, bundled with esbuild first). A
 * `broadcast` request whose payload is a sequence number (uint32 LE) makes it stamp a 64-byte
 * payload with its clock and call `server.broadcast("tick", payload)` once; the reply is how
 * many connections it went to and how long the call took (ms), as ASCII: `10000 12.5`. The read timeout is an hour: the load generator's raw sockets
 * send no heartbeats while thousands of them connect and wait.
 *
 * @module
 */

import { RequestError } from "../../protocol/request_error.ts";
import type { IncomingRequest } from "../../server/incoming.ts";
import { Server } from "../../server.ts";
import { announce } from "../e2e/serve_args.ts";
import { serveOnRuntime } from "../e2e/serve_on_runtime.ts";
import { signalName, stampedPayload, triggerName } from "./signal_layout.ts";

const server: Server = new Server({
  readTimeout: 3_600_000,
  sessionsEnabled: false,
  onRequest(request: IncomingRequest): string {
    if (request.name !== triggerName) throw new RequestError("UNKNOWN", "only broadcast");
    const trigger = request.payload.bytes;
    if (trigger.length !== 4) throw new RequestError("BAD_SEQUENCE", "4 bytes, uint32 LE");
    const sequence = new DataView(trigger.buffer, trigger.byteOffset, 4).getUint32(0, true);
    const payload = stampedPayload(sequence);
    const started = performance.now();
    const sent = server.broadcast(signalName, payload);
    return `${sent} ${performance.now() - started}`;
  },
});

announce((await serveOnRuntime(server)).port);
