// A push that finds a slow reader closes it at once, but the hooks that close calls run once
// the push has reached every receiver: a presence hook that publishes "left" (as in
// docs/server.md) once got it to the other subscribers between two signals published one
// right after the other. The Node adapter counts a tick's frames as queued at once, so a
// client that does not read goes over `maxSendBuffer` within a publish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame } from "../testing/ws_frame.ts";

test("a slow reader's disconnect hook runs after the pushes that closed it (node adapter)", async () => {
  let slowLeft = false;
  const running = await startServer({
    adapter: "node",
    logger: silentLogger,
    maxSendBuffer: 256 * 1024,
    onRequest: (request) => {
      request.connection.subscribe("room");
      return "in";
    },
    onClientDisconnected: (connection) => {
      slowLeft = true;
      for (const topic of connection.topics) running.server.publish(topic, "left");
    },
  });
  const heard: string[][] = [[], []];
  const readers = heard.map((names) =>
    new Client(running.url, { onSignal: (signal) => void names.push(signal.name) })
  );
  const slow = await TcpClient.connect(running.url);
  try {
    for (const reader of readers) await reader.request("join");
    await slow.next(); // accept-conf
    slow.write(maskedFrame(encodeRequest({ id: requestIdFromNumber(1), name: "join" })));
    await slow.next(); // its reply: subscribed
    slow.stopReading();
    const big = new Uint8Array(64 * 1024);
    for (let tick = 0; !slowLeft && tick < 2000; tick++) {
      // Two signals published one right after the other, in one turn of the event loop.
      running.server.publish("room", "big", big);
      running.server.publish("room", "small", "s");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(slowLeft, "the slow reader was closed");
    for (const names of heard) {
      await until(() => names.includes("left"), "left heard");
      const at = names.indexOf("left");
      assert.equal(names[at - 1], "small", `"left" follows both signals of its turn`);
      assert.equal(names.length, at + 1);
    }
  } finally {
    slow.destroy();
    for (const reader of readers) await reader.close();
    await running.close();
  }
});
