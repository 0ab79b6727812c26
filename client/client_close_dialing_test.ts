// close() while a dial is under way resolves once that dial's socket has closed, as it does
// for a connection: a caller that awaits it may count on no socket of the client being left.
// Real sockets: a peer that opens the WebSocket and never sends the accept-conf, so that the
// dial waits for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { startScriptedPeer } from "../testing/scripted_peer.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import { DisconnectedError } from "./errors.ts";

for (const stage of ["before the socket opened", "while the accept-conf is awaited"] as const) {
  test(`close() during a dial ${stage} resolves once the dial's socket has closed`, async () => {
    let peerOpened = 0;
    const peer = await startScriptedPeer({ onOpen: () => void peerOpened++ });
    const sockets: WebSocket[] = [];
    // The runtime's own WebSocket; the test only keeps each socket to read its state.
    class KeptWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const client = new Client(peer.url, {
      logger: silentLogger,
      WebSocket: KeptWebSocket,
      dialTimeout: 10_000,
    });
    try {
      const connecting = client.connect().catch((error: unknown) => error);
      assert.equal(sockets.length, 1, "the dial made its socket at once");
      if (stage === "while the accept-conf is awaited") {
        await until(() => sockets[0].readyState === WebSocket.OPEN, "the socket opened", 2000);
        await until(() => peerOpened === 1, "the peer saw the socket open", 2000);
      }
      await client.close();
      assert.equal(sockets[0].readyState, WebSocket.CLOSED);
      assert.ok((await connecting) instanceof DisconnectedError);
    } finally {
      await client.close();
      await peer.close();
    }
  });
}
