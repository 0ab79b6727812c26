import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { RequestError } from "../protocol/request_error.ts";
import { acceptConf, startScriptedPeer } from "./testing_scripted_peer.ts";
import { recordingLogger } from "./testing_support.ts";

describe("Client review: replies and timers", () => {
  it("rejects with a RequestError when the error code is not printable ASCII", async () => {
    const peer = await startScriptedPeer({
      onOpen: (socket) => socket.send(acceptConf()),
      onMessage: (socket, data) => {
        if (typeof data === "string" || data[0] < 127) return;
        // Error reply: code "é\x01" (Latin-1 bytes), message "bad".
        socket.send(new Uint8Array([0, ...data.subarray(1, 9), 2, 0xe9, 0x01, 0x62, 0x61, 0x64]));
      },
    });
    const { logger } = recordingLogger();
    const client = new Client(peer.url, { logger, requestTimeout: 1000 });
    try {
      await client.connect();
      const error = await client.request("x").then(() => null, (error) => error);
      assert.ok(error instanceof RequestError, `expected a RequestError, got ${error}`);
      assert.equal(error.code, "\u00e9\u0001");
      assert.equal(error.message, "bad");
      assert.equal(client.pendingRequests, 0);
    } finally {
      await client.close();
      await peer.close();
    }
  });
});
