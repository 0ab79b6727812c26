import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, encodeSignal, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { RawClient } from "../testing/raw_client.ts";
import { adaptersOfThisRuntime, type StartOptions, startServer } from "../testing/serve.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import { until } from "../testing/until.ts";
import type { Connection } from "./connection.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

const adapters = adaptersOfThisRuntime;
let nextId = 1;

/** Opens `count` connections, `batch` at a time; `query` makes each one's URL query. */
async function handshakes(
  url: string,
  count: number,
  query: (index: number) => string = () => "",
): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let start = 0; start < count; start += 100) {
    const size = Math.min(100, count - start);
    clients.push(
      ...await Promise.all(
        Array.from({ length: size }, (_, i) => RawClient.handshake(url + query(start + i))),
      ),
    );
  }
  return clients;
}

/** Server options that tag each connection with the `group` query parameter of its URL. */
function grouped(options: StartOptions): StartOptions {
  return {
    logger: silentLogger,
    beforeUpgrade: (request) => ({
      info: { group: new URL(request.url).searchParams.get("group") ?? "" },
    }),
    ...options,
  };
}

/**
 * Sends a request and returns the reply's text, or the error reply's code, or the kind of any
 * other reply; signals that arrive first are skipped.
 */
async function ask(client: RawClient, name: string, payload = ""): Promise<string> {
  client.send(encodeRequest({ id: requestIdFromNumber(nextId++), name, payload }));
  for (;;) {
    const message = await client.next();
    if (message.kind === "signal" || message.kind === "session-created") continue;
    if (message.kind === "reply") return new TextDecoder().decode(message.payload);
    if (message.kind === "error-reply") return message.codeText;
    return message.kind;
  }
}

for (const adapter of adapters) {
  test(`broadcast reaches 1 000 connections once each, filter excludes (${adapter} adapter)`, async () => {
    const running = await startServer(grouped({ adapter }));
    const clients = await handshakes(
      running.url,
      1000,
      (i) => `?group=${i % 2 === 0 ? "even" : "odd"}`,
    );
    try {
      await until(() => running.server.connectionCount === 1000, "all connections accepted");
      assert.equal(running.server.connections().length, 1000);
      const expected = encodeSignal({ name: "news", payload: "to all" });
      assert.equal(running.server.broadcast("news", "to all"), 1000);
      const even = (connection: Connection) => connection.info.group === "even";
      assert.equal(running.server.broadcast("even", "only", { filter: even }), 500);
      await Promise.all(clients.map(async (client, i) => {
        const first = await client.next(5000);
        assert.ok(first.kind === "signal");
        assert.deepEqual([...first.bytes], [...expected]);
        if (i % 2 === 0) {
          const second = await client.next(5000);
          assert.ok(second.kind === "signal" && second.nameText === "even");
        }
      }));
      const silent = await Promise.all(clients.map((client) => client.silentFor(100)));
      assert.ok(silent.every((s) => s), "nobody got a signal twice");
    } finally {
      for (const client of clients) client.close();
      await running.close();
    }
  });

  test(`a broadcast whose filter throws sends to nobody (${adapter} adapter)`, async () => {
    const running = await startServer(grouped({ adapter }));
    const groups = ["a", "b", "a", "b"];
    const clients = await handshakes(running.url, 4, (i) => `?group=${groups[i]}`);
    try {
      await until(() => running.server.connectionCount === 4, "all connections accepted");
      let asked = 0;
      const failing = (connection: Connection) => {
        if (++asked === 3) throw new Error("filter failed");
        return connection.info.group === "a";
      };
      assert.throws(() => running.server.broadcast("x", "", { filter: failing }), /filter failed/);
      const silent = await Promise.all(clients.map((client) => client.silentFor(100)));
      assert.ok(silent.every((s) => s), "no connection got the signal");
      const inA = (connection: Connection) => connection.info.group === "a";
      assert.equal(running.server.broadcast("y", "", { filter: inA }), 2);
      for (const i of [0, 2]) {
        const message = await clients[i].next(5000);
        assert.ok(message.kind === "signal" && message.nameText === "y");
      }
    } finally {
      for (const client of clients) client.close();
      await running.close();
    }
  });

  test(`a slow reader does not hold up a broadcast and is closed with 1008 (${adapter} adapter)`, async () => {
    const disconnects: DisconnectReason[] = [];
    const running = await startServer({
      adapter,
      logger: silentLogger,
      sendHighWaterMark: 64 * 1024,
      maxSendBuffer: 512 * 1024,
      onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    });
    const readers = await handshakes(running.url, 20);
    const stalled = await stalledClient(running.url, new Uint8Array(0));
    try {
      await until(() => running.server.connectionCount === 21, "all connections accepted");
      const chunk = new Uint8Array(64 * 1024).fill(7);
      const received = readers.map(() => 0);
      const reading = readers.map(async (reader, i) => {
        for (;;) {
          const message = await reader.next(5000).catch(() => null);
          if (message === null) return;
          assert.ok(message.kind === "signal" && message.payload.length === chunk.length);
          received[i]++;
        }
      });
      // 64 MiB at most; the kernel's socket buffers take some MiB before the server's fill.
      let rounds = 0;
      while (disconnects.length === 0 && rounds < 1024) {
        assert.ok(running.server.broadcast("chunk", chunk) >= 20);
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await until(
        () => received.every((count) => count === rounds),
        `every reader got all ${rounds} chunks`,
        10_000,
      );
      await until(() => disconnects.length === 1, "the stalled reader was disconnected");
      assert.equal(disconnects[0].kind, "slow-reader");
      assert.equal(disconnects[0].code, 1008);
      assert.equal(running.server.connectionCount, 20);
      for (const reader of readers) reader.close();
      await Promise.all(reading);
    } finally {
      stalled.destroy();
      for (const reader of readers) reader.close();
      await running.close();
    }
  });

  test(`topics: subscribe, publish, unsubscribe, and subscriptions end with the connection (${adapter} adapter)`, async () => {
    const running = await startServer({
      adapter,
      logger: silentLogger,
      onRequest: (request) => {
        const topic = request.payload.text();
        const connection = request.connection;
        switch (request.name) {
          case "join":
            return String(connection.subscribe(topic));
          case "leave":
            return String(connection.unsubscribe(topic));
          case "topics":
            return connection.topics.join(",");
        }
      },
    });
    const [a, b, c] = await handshakes(running.url, 3);
    try {
      assert.equal(await ask(a, "join", "room:1"), "true");
      assert.equal(await ask(a, "join", "room:1"), "false", "a double subscribe is a no-op");
      assert.equal(await ask(a, "join", "room:2"), "true");
      assert.equal(await ask(b, "join", "room:1"), "true");
      assert.equal(await ask(a, "topics"), "room:1,room:2");

      assert.equal(running.server.topicConnections("room:1").length, 2);
      assert.deepEqual(running.server.topicConnections("room:2").map((c) => c.topics), [[
        "room:1",
        "room:2",
      ]]);
      assert.equal(running.server.publish("room:1", "said", "hello"), 2);
      for (const client of [a, b]) {
        const message = await client.next();
        assert.ok(message.kind === "signal" && message.nameText === "said");
        assert.equal(new TextDecoder().decode(message.payload), "hello");
      }
      assert.ok(await c.silentFor(50), "a connection that did not subscribe gets nothing");
      assert.equal(running.server.publish("room:empty", "said", "nobody"), 0);

      assert.equal(await ask(b, "leave", "room:1"), "true");
      assert.equal(await ask(b, "leave", "room:1"), "false");
      assert.equal(running.server.publish("room:1", "said", "again"), 1);
      assert.equal((await a.next()).kind, "signal");
      assert.ok(await b.silentFor(50));

      a.close();
      await until(() => running.server.connectionCount === 2, "a's close was seen");
      assert.equal(running.server.publish("room:1", "said", "gone"), 0);
      assert.equal(running.server.topicConnections("room:2").length, 0);
      assert.equal(running.server.publish("room:2", "said", "gone"), 0);

      for (const bad of ["", "x".repeat(257), "tab\there", "nul\u0000", "\ud800"]) {
        assert.throws(() => running.server.publish(bad, "said", "x"), RangeError);
      }
      // Over the wire (UTF-8), so without the unpaired surrogate.
      for (const bad of ["", "x".repeat(257), "tab\there", "nul\u0000"]) {
        assert.equal(await ask(c, "join", bad), "internal-error-reply", JSON.stringify(bad));
      }
      assert.equal(await ask(c, "topics"), "");
    } finally {
      for (const client of [a, b, c]) client.close();
      await running.close();
    }
  });
}
