import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";

test("a client whose logger throws goes on after a callback that throws", async () => {
  const running = await startServer({
    logger: silentLogger,
    onRequest: (request) => {
      if (request.name === "push") request.connection.signal("hello", "you");
      return `got ${request.payload.text()}`;
    },
  });
  let logged = 0;
  const signals: string[] = [];
  const client = new Client(running.url, {
    logger: {
      warn: () => {
        logged++;
        throw new Error("log sink down");
      },
      error: () => {
        logged++;
        throw new Error("log sink down");
      },
    },
    onSignal: (signal) => {
      signals.push(signal.name);
      throw new Error("listener failed");
    },
  });
  try {
    assert.equal((await client.request("push", "one")).text(), "got one");
    await until(() => signals.length === 1, "the signal reached its callback");
    await until(() => logged === 1, "the callback's failure went to the logger");
    assert.equal((await client.request("echo", "more")).text(), "got more");
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await running.close();
  }
});
