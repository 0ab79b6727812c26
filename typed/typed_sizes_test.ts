// Typed messages have the sizes of untyped ones, as the README says: a request or client signal
// over the server's messageBufferSize is refused with a MessageTooLargeError before anything is
// sent, and the connection goes on. Real server and client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { MessageTooLargeError } from "../client/errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { createRouter, defineContract, TypedClient } from "./mod.ts";

interface Store {
  requests: { put: { payload: { text: string }; reply: number } };
  clientSignals: { note: string };
}

async function startStore() {
  const disconnects: string[] = [];
  const notes: string[] = [];
  const router = createRouter(defineContract<Store>(), {
    requests: {
      put: ({ text }) => text.length,
    },
    clientSignals: { note: (text) => void notes.push(text) },
  }, { logger: silentLogger });
  const running = await startServer({
    messageBufferSize: 1024,
    sessionsEnabled: false,
    logger: silentLogger,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason.kind),
    ...router,
  });
  const api = new TypedClient<Store>(new Client(running.url, { logger: silentLogger }));
  return { running, api, disconnects, notes };
}

test("a typed request or signal over messageBufferSize is refused before it is sent", async () => {
  const { running, api, disconnects, notes } = await startStore();
  try {
    assert.equal(await api.request("put", { text: "x".repeat(900) }), 900);
    const refused = await api.request("put", { text: "x".repeat(1100) }).catch((error) => error);
    assert.ok(refused instanceof MessageTooLargeError, String(refused));
    assert.throws(() => api.signal("note", "y".repeat(1100)), MessageTooLargeError);
    // Nothing reached the server, and the connection goes on.
    api.signal("note", "short");
    assert.equal(await api.request("put", { text: "ok" }), 2);
    assert.deepEqual(notes, ["short"]);
    assert.deepEqual(disconnects, []);
  } finally {
    await api.client.close();
    await running.close();
  }
});
