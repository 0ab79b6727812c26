import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeReply,
  encodeRequest,
  Payload,
  type PayloadEncoding,
  requestIdFromNumber,
  type RequestMessage,
} from "../protocol/mod.ts";
import type { IncomingRequest, ReplyValue } from "./incoming.ts";
import { Server } from "./server.ts";
import { echoReply } from "./echo_reply.ts";
import { RawClient } from "../testing/raw_client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";

const encodings: PayloadEncoding[] = ["binary", "utf8", "utf16"];

/** A payload of `length` bytes that no header byte could be mistaken for. */
function payloadOf(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7 + 101) & 0xff);
}

test("echoReply writes, over the request, the bytes encodeReply would write", () => {
  let cases = 0;
  for (const encoding of encodings) {
    for (const nameLength of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 254, 255]) {
      for (const length of [0, 2, 16, 4096]) {
        for (const answer of ["payload", "bytes"] as const) {
          if (nameLength === 0 && length === 0) continue; // a request needs one
          const id = requestIdFromNumber(0x0102_0304_0506 * 256 + nameLength);
          const payload = payloadOf(length, nameLength);
          const bytes = encodeRequest({ id, name: "n".repeat(nameLength), payload, encoding });
          const request = decodeMessage(bytes) as RequestMessage;
          const view = request.payload;
          const replyEncoding = answer === "payload" ? encoding : "binary";
          const expected = encodeReply({ id, payload, encoding: replyEncoding });
          const reply = echoReply(request, replyEncoding);
          assert.deepEqual(reply, expected, `${encoding}, name ${nameLength}, ${length} B`);
          assert.equal(reply.buffer, bytes.buffer, "written over the request");
          assert.deepEqual(view, payload, "the payload the handler holds is unchanged");
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 3 * (16 * 4 - 1) * 2);
});

for (const adapter of adaptersOfThisRuntime) {
  test(`${adapter}: echoed payloads and their bytes come back byte for byte, and what handlers keep stays intact`, async () => {
    const kept: { payload: Payload; copy: Uint8Array }[] = [];
    const running = await startServer({
      adapter,
      onRequest: async (request: IncomingRequest) => {
        kept.push({ payload: request.payload, copy: request.payload.bytes.slice() });
        switch (request.name) {
          case "bytes":
            return request.payload.bytes;
          case "later":
            await new Promise((resolve) => setTimeout(resolve, 1));
            return request.payload;
          case "other":
            return new Payload(request.payload.bytes.slice(), request.payload.encoding);
          default:
            return request.payload;
        }
      },
    });
    try {
      const client = await RawClient.connect(running.url);
      assert.equal((await client.next()).kind, "accept-conf");
      const names = ["", "e", "echo", "bytes", "later", "other", "x".repeat(255)];
      const expected = new Map<number, Uint8Array>();
      let n = 0;
      // Sent in one burst, so that the runtime may hand over several in one read.
      for (const encoding of encodings) {
        for (const name of names) {
          for (const length of [0, 2, 16, 4096]) {
            if (name === "" && length === 0) continue; // a request needs one
            const id = requestIdFromNumber(++n);
            const payload = payloadOf(length, n);
            client.send(encodeRequest({ id, name, payload, encoding }));
            const replyEncoding = name === "bytes" ? "binary" : encoding;
            expected.set(n, encodeReply({ id, payload, encoding: replyEncoding }));
          }
        }
      }
      for (let i = 0; i < n; i++) {
        const reply = await client.next();
        assert.equal(reply.kind, "reply");
        if (reply.kind !== "reply") return;
        const at = Number(
          new DataView(reply.id.buffer, reply.id.byteOffset, 8).getBigUint64(0, true),
        );
        assert.deepEqual(reply.bytes, expected.get(at), `reply to request ${at}`);
        expected.delete(at);
      }
      assert.equal(expected.size, 0);
      assert.equal(kept.length, n);
      for (const { payload, copy } of kept) assert.deepEqual(payload.bytes, copy);
      client.close();
    } finally {
      await running.close();
    }
  });
}

/**
 * A server on an in-process socket that records what it is given to send (`views`) and a copy
 * of it taken at once (`sent`); the first of each is accept-conf.
 */
function inProcess(copiesOnSend: boolean, onRequest: (request: IncomingRequest) => ReplyValue) {
  const sent: Uint8Array[] = [];
  const views: Uint8Array[] = [];
  const server = new Server({ sessionsEnabled: false, onRequest, closeTimeout: 10 });
  const events = server.accept({
    send: (bytes: Uint8Array) => void (views.push(bytes), sent.push(bytes.slice())),
    close: () => {},
    terminate: () => {},
    bufferedAmount: 0,
    copiesOnSend,
  });
  return { server, events, sent, views };
}

test("the echo is written over the request only where the socket copies what it sends", async () => {
  for (const copiesOnSend of [true, false]) {
    for (const answer of ["payload", "bytes", "later", "copy"] as const) {
      const { server, events, sent, views } = inProcess(copiesOnSend, (request) => {
        if (answer === "bytes") return request.payload.bytes;
        if (answer === "copy") return request.payload.bytes.slice();
        if (answer === "later") return Promise.resolve(request.payload) as unknown as ReplyValue;
        return request.payload;
      });
      const request = encodeRequest({ id: requestIdFromNumber(9), name: "echo", payload: "hey" });
      const expected = encodeReply({
        id: requestIdFromNumber(9),
        payload: new TextEncoder().encode("hey"),
        encoding: answer === "payload" || answer === "later" ? "utf8" : "binary",
      });
      events.message(request);
      await Promise.resolve(); // the "later" handler's promise
      assert.equal(sent.length, 2, `${answer}: accept-conf and the reply`);
      assert.deepEqual(sent[1], expected, `${answer}, copiesOnSend ${copiesOnSend}`);
      const inPlace = views[1].buffer === request.buffer;
      assert.equal(inPlace, copiesOnSend && answer !== "copy", `${answer}, ${copiesOnSend}`);
      await server.shutdown();
    }
  }
});
