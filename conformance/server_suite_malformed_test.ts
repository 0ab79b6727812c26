// The live server suite's malformed-message checks against a server that ignores malformed
// messages and closes connections on a read timeout shorter than the one it advertises: the
// closes it makes on that clock must not pass for answers to the malformed messages.

import assert from "node:assert/strict";
import { test } from "node:test";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocketServer } from "ws";
import { decodeMessage } from "../protocol/decode.ts";
import { encodeAcceptConf } from "../protocol/encode_control_message.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { runServerSuite, serverCheckNames } from "./server_suite.ts";

/** How long the server lets a connection be silent, although it advertises 60 s. */
const actualReadTimeoutMs = 1000;

test("a server that ignores malformed messages and closes connections early fails", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  wss.on("connection", (socket) => {
    const conf = { major: 2, minor: 0, readTimeoutMs: 60_000, messageBufferSize: 8192 };
    socket.send(encodeAcceptConf(conf));
    const closeIdle = () => socket.close(1000, "read timeout");
    let idle = setTimeout(closeIdle, actualReadTimeoutMs);
    socket.on("close", () => clearTimeout(idle));
    socket.on("message", (data: Uint8Array, isBinary: boolean) => {
      clearTimeout(idle);
      idle = setTimeout(closeIdle, actualReadTimeoutMs);
      if (!isBinary) return; // ignored, as anything it cannot read
      let message;
      try {
        message = decodeMessage(new Uint8Array(data));
      } catch {
        return; // a malformed message: ignored
      }
      if (message.kind !== "request") return;
      const { id, payload, encoding } = message;
      socket.send(encodeReply({ id: id.slice(), payload: payload.slice(), encoding }));
    });
  });
  const address = wss.address();
  assert.ok(typeof address === "object" && address !== null);
  try {
    const only = serverCheckNames.filter((name) => name.startsWith("malformed-"));
    const report = await runServerSuite(`ws://127.0.0.1:${address.port}/`, {
      timeoutMs: 2000,
      only,
    });
    assert.equal(report.results.length, only.length);
    for (const result of report.results) {
      assert.equal(result.passed, false, `${result.name} passed: ${result.detail}`);
      assert.match(result.detail, /the connection beside it, which sent nothing wrong, was closed/);
    }
    assert.equal(report.failed, only.length);
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});
