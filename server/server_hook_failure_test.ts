// `beforeUpgrade` and `onOptions` that throw or reject, on every adapter of the runtime: the
// request gets 500 and the error reaches the server's logger once. Once, the adapters that
// frame WebSockets themselves closed the connection without an answer and logged nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Logger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { Server } from "./server.ts";

const upgradeHeaders = {
  upgrade: "websocket",
  connection: "upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

for (const adapter of adaptersOfThisRuntime) {
  test(`a hook that throws gets 500, logged once (${adapter} adapter)`, async () => {
    const logged: string[] = [];
    const logger: Logger = {
      error: (message: string, error?: unknown) =>
        void logged.push(`${message}: ${(error as Error)?.message}`),
      warn: () => {},
    };
    const running = await startServer({
      adapter,
      logger,
      beforeUpgrade: () => {
        throw new Error("no database");
      },
      onOptions: () => Promise.reject(new Error("no cors table")),
    });
    try {
      const url = running.url.replace("ws://", "http://");
      const upgrade = await fetch(url, { headers: upgradeHeaders });
      assert.equal(upgrade.status, 500);
      await upgrade.body?.cancel();
      // A Hono app routes OPTIONS itself (the WebWire handler is mounted with `get`).
      if (adapter !== "hono") {
        const options = await fetch(url, { method: "OPTIONS" });
        assert.equal(options.status, 500);
        await options.body?.cancel();
      }
      assert.deepEqual(logged, [
        "beforeUpgrade hook failed: no database",
        ...(adapter === "hono" ? [] : ["onOptions hook failed: no cors table"]),
      ]);
    } finally {
      await running.close();
    }
  });
}

for (const adapter of adaptersOfThisRuntime) {
  test(`a concurrencyLimit that is no integer is the hook's failure: 500 (${adapter} adapter)`, async () => {
    const logged: string[] = [];
    const logger: Logger = {
      error: (message: string, error?: unknown) =>
        void logged.push(`${message}: ${(error as Error)?.message}`),
      warn: () => {},
    };
    const limits = [1.5, NaN, "2" as unknown as number, 2, Infinity, 0];
    let asked = 0;
    const running = await startServer({
      adapter,
      logger,
      beforeUpgrade: () => ({ concurrencyLimit: limits[asked++] }),
    });
    try {
      const url = running.url.replace("ws://", "http://");
      const statuses: number[] = [];
      for (const _ of limits) {
        const upgrade = await fetch(url, { headers: upgradeHeaders });
        statuses.push(upgrade.status);
        await upgrade.body?.cancel();
      }
      // fetch cannot take a 101: a valid limit goes on to the runtime's upgrade instead.
      assert.deepEqual(statuses.slice(0, 3), [500, 500, 500]);
      assert.ok(statuses.slice(3).every((status) => status !== 500), statuses.join());
      assert.deepEqual(logged, [
        "beforeUpgrade hook failed: concurrencyLimit must be an integer, got 1.5",
        "beforeUpgrade hook failed: concurrencyLimit must be an integer, got NaN",
        'beforeUpgrade hook failed: concurrencyLimit must be an integer, got "2"',
      ]);
    } finally {
      await running.close();
    }
  });
}

for (const adapter of adaptersOfThisRuntime) {
  test(`a client cannot flood the log through a hook that fails (${adapter} adapter)`, async () => {
    const logged: string[] = [];
    const logger: Logger = {
      error: (message: string) => void logged.push(message),
      warn: () => {},
    };
    const running = await startServer({
      adapter,
      logger,
      beforeUpgrade: () => {
        throw new Error("malformed token");
      },
    });
    try {
      const url = running.url.replace("ws://", "http://");
      for (let i = 0; i < 50; i++) {
        const upgrade = await fetch(url, { headers: upgradeHeaders });
        assert.equal(upgrade.status, 500);
        await upgrade.body?.cancel();
      }
      // Each one was logged: 50 lines with a stack trace each, one per request.
      assert.equal(logged.length, 10, logged.join("\n"));
      assert.ok(logged.every((line) => line === "beforeUpgrade hook failed"), logged.join("\n"));
    } finally {
      await running.close();
    }
  });
}

test("the upgrade hook failures left out are counted in the log at shutdown", async () => {
  const logged: string[] = [];
  const logger: Logger = { error: (message: string) => void logged.push(message), warn() {} };
  const server = new Server({
    logger,
    sessionsEnabled: false,
    beforeUpgrade: () => {
      throw new Error("malformed token");
    },
  });
  for (let i = 0; i < 12; i++) {
    const request = new Request("http://localhost/", { headers: upgradeHeaders });
    assert.equal((await server.prepareUpgrade(request)).accept, false);
  }
  await server.shutdown();
  assert.equal(logged.length, 11, logged.join("\n"));
  assert.match(logged[10], /^2 more upgrade hook failures not logged/);
});
