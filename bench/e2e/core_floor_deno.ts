/**
 * Our server core on Deno without the Deno adapter's socket bookkeeping: `Deno.serve` and
 * `Deno.upgradeWebSocket` as in the protocol floor (`protocol_floor_deno.ts`), each socket handed
 * to the core through a transport that only sends (no open-state check, no count of the bytes
 * queued, no quiet-before-close), each message delivered as the adapter delivers it. Between the
 * protocol floor and our server (`webwire_server.ts` under Deno): what it costs above the floor
 * is the core's, what our server costs above it is the adapter's. Not for serving: a client that
 * stops reading is never caught here. Opt-in target of the e2e benchmark: `node
 * bench/e2e/measure.mjs --only webwire-deno,core-deno,floor-deno,raw-deno`.
 *
 * @module
 */

import { eventHandled, handlingEvent } from "../../adapters/event_turn.ts";
import { conformanceService } from "../../conformance/service.ts";
import { Server } from "../../server.ts";
import type { TransportEvents, TransportSocket } from "../../server/transport.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { announce, hostname } from "./serve_args.ts";

/** Sends, and nothing else: Deno's `send` copies, so the core may reuse its buffers. */
class SendOnlySocket implements TransportSocket {
  readonly bufferedAmount = 0;
  readonly copiesOnSend = true;
  constructor(private readonly socket: WebSocket) {}
  send(bytes: Uint8Array): void {
    this.socket.send(bytes as Uint8Array<ArrayBuffer>);
  }
  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
  terminate(): void {
    this.socket.close();
  }
}

const server = new Server({ ...conformanceService(), sessionManager: new MemorySessionManager() });

const http = Deno.serve({ port: 0, hostname, onListen: () => {} }, (request) => {
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
  socket.binaryType = "arraybuffer";
  socket.onopen = () => {
    const events: TransportEvents = server.accept(new SendOnlySocket(socket));
    socket.onmessage = (event) => {
      handlingEvent();
      try {
        events.message(new Uint8Array(event.data as ArrayBuffer));
      } finally {
        eventHandled();
      }
    };
    socket.onclose = (event) => events.closed(event.code, event.reason);
  };
  return response;
});
announce(http.addr.port);
