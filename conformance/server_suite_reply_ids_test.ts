// A server that answers with the wrong request ids is told so by the reply-ids check: the
// reply whose id is another request's carries that request's payload, and the detail names
// both ids, not just "another payload". A fake server on `ws` that swaps the ids of each pair
// of echo requests.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocketServer } from "ws";
import { decodeMessage } from "../protocol/decode.ts";
import type { RequestMessage } from "../protocol/message.ts";
import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { runServerSuite } from "./server_suite.ts";

test("replies whose ids are swapped fail reply-ids, naming the id each payload was sent with", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  wss.on("connection", (socket) => {
    socket.send(
      encodeAcceptConf({ major: 2, minor: 0, readTimeoutMs: 60_000, messageBufferSize: 8192 }),
    );
    let held: RequestMessage | undefined;
    socket.on("message", (data: Uint8Array) => {
      const message = decodeMessage(new Uint8Array(data));
      if (message.kind !== "request") return;
      if (held === undefined) return void (held = message);
      const [first, second] = [held, message];
      held = undefined;
      for (const [id, request] of [[second.id, first], [first.id, second]] as const) {
        const { payload, encoding } = request;
        socket.send(encodeReply({ id: id.slice(), payload: payload.slice(), encoding }));
      }
    });
  });
  const address = wss.address();
  assert.ok(typeof address === "object" && address !== null);
  try {
    const url = `ws://127.0.0.1:${address.port}/`;
    const report = await runServerSuite(url, { timeoutMs: 1000, only: ["reply-ids"] });
    assert.equal(report.failed, 1);
    assert.match(
      report.results[0].detail,
      /reply with id [0-9a-f]{16} carries the payload sent with id [0-9a-f]{16}: wrong reply id/,
    );
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});
