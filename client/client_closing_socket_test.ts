// A request made while the client's socket is closing (the server's close frame has come, its
// TCP connection not yet gone) was written into a socket that drops it, and then failed with
// DisconnectedError ("may have been processed") once the socket closed. The client knows it was
// never sent: it is held and sent on the next connection, as a request made while offline is;
// a signal throws DisconnectedError at once instead of vanishing. Browsers and the `ws` package
// keep a socket closing until the server ends its TCP connection (`ws` for up to 30 s); Deno's
// and Bun's own WebSockets close at once. So the client here runs on `ws`: under Deno, and
// under Node by scripts/extra_suites.mjs (Bun puts its own WebSocket in place of `ws`).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket as NodeWebSocket } from "ws";
import { Client } from "../client.ts";
import { DisconnectedError } from "./errors.ts";
import { startClosingPeer } from "../testing/closing_peer.ts";
import { until } from "../testing/until.ts";
import { Opcode } from "../testing/ws_frame.ts";

const skip = "Bun" in globalThis && "Bun's `ws` is its own WebSocket, which closes at once";

test("a request made while the socket closes is held for the next connection", {
  skip,
}, async () => {
  // The first connection stays closing for 200 ms after its close frame.
  const peer = await startClosingPeer({ holdMs: 200 });
  const client = new Client(peer.url, {
    WebSocket: NodeWebSocket,
    reconnect: { initialDelay: 10 },
  });
  try {
    await client.connect();
    client.signal("close-me");
    const closeAnswered = () => peer.frames[0].some((frame) => frame.opcode === Opcode.Close);
    await until(closeAnswered, "the client's close");
    const reply = client.request("who", "late");
    assert.throws(() => client.signal("note", "late"), DisconnectedError);
    assert.equal((await reply).text(), "connection 2");
    const first = peer.frames[0].map((frame) => frame.opcode);
    assert.deepEqual(first.slice(first.indexOf(Opcode.Close)), [Opcode.Close], "none after it");
  } finally {
    await peer.close(); // first: the client need not wait for a close the peer never answers
    await client.close();
  }
});
