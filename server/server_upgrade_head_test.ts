import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "./server.ts";
import type { UpgradeRequestHead } from "./transport.ts";
import type { Connection } from "./connection.ts";
import { RawClient } from "../testing/raw_client.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

/** A head over plain headers that counts how often the full request was asked for. */
function head(method: string, headers: Record<string, string>) {
  const made = { count: 0 };
  const value: UpgradeRequestHead = {
    method,
    header: (name) => headers[name] ?? null,
    toRequest: () => {
      made.count++;
      return new Request("http://127.0.0.1/ws", { method, headers });
    },
  };
  return { value, made };
}

test("an upgrade head is accepted without building a Request when no hook needs one", async () => {
  const server = new Server({ logger: silentLogger });
  const upgrade = head("GET", { upgrade: "WebSocket" });
  const decision = await server.prepareUpgrade(upgrade.value);
  assert.equal(decision.accept, true);
  assert.equal(upgrade.made.count, 0);

  const plain = head("GET", {});
  const refused = await server.prepareUpgrade(plain.value);
  assert.equal(refused.accept, false);
  assert.equal(!refused.accept && refused.response.status, 426);

  const options = head("OPTIONS", {});
  const answered = await server.prepareUpgrade(options.value);
  assert.equal(!answered.accept && answered.response.status, 204);
  assert.equal(plain.made.count + options.made.count, 0);
});

test("beforeUpgrade and onOptions get the full Request, built once", async () => {
  const seen: string[] = [];
  const server = new Server({
    logger: silentLogger,
    beforeUpgrade: (request) => {
      seen.push(`${request.method} ${request.headers.get("x-user")}`);
      return { info: { user: request.headers.get("x-user") } };
    },
    onOptions: (request) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      return new Response(null, { status: 200 });
    },
  });
  const upgrade = head("GET", { upgrade: "websocket", "x-user": "ada" });
  const decision = await server.prepareUpgrade(upgrade.value);
  assert.deepEqual(decision.accept && decision.options.info, { user: "ada" });
  assert.equal(upgrade.made.count, 1);

  const options = head("OPTIONS", {});
  const answered = await server.prepareUpgrade(options.value);
  assert.equal(!answered.accept && answered.response.status, 200);
  assert.equal(options.made.count, 1);
  assert.deepEqual(seen, ["GET ada", "OPTIONS /ws"]);
});

for (const adapter of adaptersOfThisRuntime) {
  test(`connections share one frozen empty info; creation is one Date, from the accept (${adapter})`, async () => {
    const connections: Connection[] = [];
    const running = await startServer({
      adapter,
      logger: silentLogger,
      onClientConnected: (connection) => void connections.push(connection),
    });
    const before = Date.now();
    const clients = [
      await RawClient.handshake(running.url),
      await RawClient.handshake(running.url),
    ];
    try {
      await until(() => connections.length === 2, "both connections accepted");
      const [first, second] = connections;
      assert.deepEqual(first.info, {});
      assert.ok(Object.isFrozen(first.info));
      assert.equal(first.info, second.info);
      assert.ok(first.creation instanceof Date);
      assert.equal(first.creation, first.creation);
      assert.ok(first.creation.getTime() >= before - 5 && first.creation.getTime() <= Date.now());
    } finally {
      for (const client of clients) client.close();
      await running.close();
    }
  });
}
