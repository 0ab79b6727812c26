// silenceTimeout: a connection on which requests wait and from which nothing comes for that
// long is taken for dead, dropped and dialed again; one that keeps talking, or answers within
// it, is not; off by default. Real server and client, a real TCP proxy that stalls the link
// (TCP stays up, nothing arrives), as a half-open connection does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { DisconnectedError } from "./errors.ts";
import { TimeoutError } from "./timeout_errors.ts";
import { silentLogger } from "../protocol/logger.ts";
import { startPartitionProxy } from "../testing/partition_proxy.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function proxiedServer() {
  const running = await startServer({
    logger: silentLogger,
    onRequest: async ({ name, payload, connection }) => {
      if (name === "slow") await delay(Number(payload.text()));
      if (name === "chatty") {
        for (let i = 0; i < 6; i++) {
          connection.signal("still working");
          await delay(100);
        }
      }
      return name;
    },
  });
  const proxy = await startPartitionProxy(Number(new URL(running.url).port));
  const url = `ws://127.0.0.1:${new URL(proxy.url).port}/`;
  return {
    url,
    proxy,
    close: async () => {
      await proxy.close();
      await running.close();
    },
  };
}

test("a silent link with a request waiting is dropped within the timeout and dialed again", async () => {
  const served = await proxiedServer();
  const reasons: DisconnectedError[] = [];
  const client = new Client(served.url, {
    logger: silentLogger,
    silenceTimeout: 400,
    reconnect: { initialDelay: 10, maxDelay: 50 },
  });
  client.addEventListener("disconnected", (event) => void reasons.push(event.detail));
  try {
    assert.equal((await client.request("hello")).text(), "hello");
    served.proxy.partition();
    const started = performance.now();
    const error = await client.request("lost").catch((e: unknown) => e);
    const waited = performance.now() - started;
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.match(error.message, /nothing came from the server for 0\.\d s .*silenceTimeout 400/);
    assert.ok(waited >= 390 && waited < 1500, `rejected after ${waited} ms`);
    assert.equal(reasons.length, 1);
    assert.equal(reasons[0], error, "disconnected says why");
    served.proxy.heal();
    await until(() => client.status === "connected", "connected again");
    assert.equal((await client.request("hello")).text(), "hello");
  } finally {
    await client.close();
    await served.close();
  }
});

test("answers within the timeout, or messages meanwhile, keep the connection", async () => {
  const served = await proxiedServer();
  const reasons: unknown[] = [];
  const signals: string[] = [];
  const client = new Client(served.url, {
    logger: silentLogger,
    silenceTimeout: 400,
    onSignal: (signal) => void signals.push(signal.payload.text()),
  });
  client.addEventListener("disconnected", (event) => void reasons.push(event.detail));
  try {
    assert.equal((await client.request("slow", "250")).text(), "slow");
    // 600 ms without a reply, but a signal every 100 ms: the server is there.
    assert.equal((await client.request("chatty")).text(), "chatty");
    assert.equal(signals.length, 6);
    // Idle and silent for longer than the timeout: nothing waits, nothing to drop.
    await delay(700);
    assert.equal((await client.request("hello")).text(), "hello");
    assert.deepEqual(reasons, []);
    assert.equal(client.status, "connected");
  } finally {
    await client.close();
    await served.close();
  }
});

test("a reply that came while the event loop was held up is read, not taken for silence", async () => {
  const served = await proxiedServer();
  const reasons: unknown[] = [];
  const client = new Client(served.url, { logger: silentLogger, silenceTimeout: 400 });
  client.addEventListener("disconnected", (event) => void reasons.push(event.detail));
  try {
    await client.connect();
    const reply = client.request("slow", "150").then((payload) => payload.text());
    await delay(110); // looks (every 40 ms) saw it waiting
    // A long task (a page busy rendering, a tab in the background): the reply arrives meanwhile.
    const end = performance.now() + 900;
    while (performance.now() < end) { /* busy */ }
    assert.equal(await reply, "slow");
    assert.deepEqual(reasons, []);
  } finally {
    await client.close();
    await served.close();
  }
});

test("off by default: a request on a silent link fails by its own timeout, still connected", async () => {
  const served = await proxiedServer();
  const client = new Client(served.url, { logger: silentLogger });
  try {
    assert.equal((await client.request("hello")).text(), "hello");
    served.proxy.partition();
    const error = await client.request("lost", undefined, { timeout: 600 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(client.status, "connected");
    served.proxy.heal();
  } finally {
    await client.close();
    await served.close();
  }
});

test("a silenceTimeout that is not a number of ms above 0 is a RangeError", () => {
  for (const silenceTimeout of [0, -1, NaN]) {
    assert.throws(
      () => new Client("ws://127.0.0.1:1/", { silenceTimeout, autoconnect: false }),
      /silenceTimeout must be a number of milliseconds above 0/,
    );
  }
});
