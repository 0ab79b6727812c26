// Replies to requests that arrived before the server decided to close are written before the
// close frame, on every adapter, however the runtime batches the frames of one TCP read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, type StartOptions, startServer } from "../testing/serve.ts";
import { repliedIds } from "../testing/raw_exchange.ts";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedFrame, oneWrite } from "../testing/ws_frame.ts";
import type { DisconnectReason } from "./disconnect_reason.ts";

const adapters = adaptersOfThisRuntime;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function echoRequests(count: number): Uint8Array[] {
  return Array.from(
    { length: count },
    (_, i) =>
      maskedFrame(encodeRequest({ id: requestIdFromNumber(i + 1), name: "echo", payload: `${i}` })),
  );
}

async function withServer(
  options: StartOptions,
  run: (url: string, disconnects: DisconnectReason[]) => Promise<void>,
): Promise<void> {
  const disconnects: DisconnectReason[] = [];
  const running = await startServer({
    logger: silentLogger,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    ...options,
  });
  try {
    await run(running.url, disconnects);
  } finally {
    await running.close();
  }
}

for (const adapter of adapters) {
  for (const handler of ["synchronous", "asynchronous"] as const) {
    test(`10 requests and a malformed frame in one write: 10 replies, then 1002 (${adapter} adapter, ${handler} handler)`, async () => {
      let handled = 0;
      await withServer({
        adapter,
        onRequest: handler === "synchronous"
          ? (request) => {
            handled++;
            return request.payload;
          }
          : async (request) => {
            handled++;
            await sleep(5);
            return request.payload;
          },
      }, async (url, disconnects) => {
        const client = await TcpClient.connect(url);
        assert.equal((await client.next()).payload[0], 23, "accept-conf");
        const [after] = echoRequests(11).slice(10);
        client.write(
          oneWrite([...echoRequests(10), maskedFrame(new Uint8Array([6, 0, 0])), after]),
        );
        const close = await client.closeFrame();
        assert.ok(close !== null, "a close frame");
        assert.deepEqual(repliedIds(close.before), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.equal(handled, 10, "the request after the malformed frame was not read");
        assert.equal(close.code, 1002);
        assert.match(close.reason, /^unknown-type/);
        client.destroy();
        await until(() => disconnects.length === 1, "disconnect reported");
        assert.equal(disconnects[0].kind, "protocol-violation");
      });
    });
  }

  test(`a flood: the requests before the cap are answered, then 1008 (${adapter} adapter)`, async () => {
    await withServer({
      adapter,
      maxPendingMessages: 8,
      onRequest: async (request) => {
        await sleep(50);
        return request.payload;
      },
    }, async (url, disconnects) => {
      const client = await TcpClient.connect(url);
      await client.next();
      client.write(oneWrite(echoRequests(12)));
      const close = await client.closeFrame();
      assert.ok(close !== null, "a close frame");
      assert.deepEqual(repliedIds(close.before).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(close.code, 1008);
      client.destroy();
      await until(() => disconnects.length === 1, "disconnect reported");
      assert.equal(disconnects[0].kind, "flood");
    });
  });
}

test("a handler slower than closeGrace loses its reply; the close frame comes after the grace", async () => {
  let aborted = false;
  let finishedOnItsOwn = false;
  await withServer({
    closeGrace: 200,
    onRequest: async (request) => {
      if (request.name === "quick") return "quick";
      await new Promise((resolve) => {
        // Far beyond the grace: the close frame must not wait for this handler.
        const timer = setTimeout(() => resolve(finishedOnItsOwn = true), 30_000);
        request.signal.addEventListener("abort", () => {
          aborted = true;
          clearTimeout(timer);
          resolve(undefined);
        });
      });
      return "too late";
    },
  }, async (url) => {
    const client = await TcpClient.connect(url);
    await client.next();
    const slow = maskedFrame(encodeRequest({ id: requestIdFromNumber(1), name: "slow" }));
    const quick = maskedFrame(encodeRequest({ id: requestIdFromNumber(2), name: "quick" }));
    const lateness = LoopLateness.start();
    const started = performance.now();
    client.write(oneWrite([slow, quick, maskedFrame(new Uint8Array([6]))]));
    const close = await client.closeFrame();
    const elapsed = performance.now() - started;
    const late = lateness.stop();
    assert.ok(close !== null);
    assert.deepEqual(repliedIds(close.before), [2], "only the quick request was answered");
    assert.equal(close.code, 1002);
    assert.ok(!finishedOnItsOwn, "the close frame did not wait for the slow handler");
    // Not before the grace (timers do not fire early); after it, by as much as the loop was late.
    assert.ok(
      elapsed >= 150 && elapsed < 2000 + late,
      `closed ${Math.round(elapsed)} ms later (event loop ${Math.round(late)} ms late)`,
    );
    await until(() => aborted, "the slow handler saw its abort signal");
    client.destroy();
  });
});

test("with closeGrace 0 the close frame goes out at once", async () => {
  // The handlers end only once the test has the close frame (or, failing that, after 30 s):
  // the close frame must not wait for them, however slow the machine.
  let closeSeen = () => {};
  const closeSeenByClient = new Promise<void>((resolve) => closeSeen = resolve);
  let handlersEnded = 0;
  await withServer({
    closeGrace: 0,
    onRequest: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        closeSeenByClient,
        new Promise((resolve) => timer = setTimeout(resolve, 30_000)),
      ]);
      clearTimeout(timer);
      handlersEnded++;
      return "late";
    },
  }, async (url) => {
    const client = await TcpClient.connect(url);
    await client.next();
    client.write(oneWrite([...echoRequests(2), maskedFrame(new Uint8Array([6]))]));
    const close = await client.closeFrame();
    const endedBeforeClose = handlersEnded;
    closeSeen();
    assert.ok(close !== null);
    assert.deepEqual(repliedIds(close.before), []);
    assert.equal(endedBeforeClose, 0, "no wait for the handlers");
    client.destroy();
  });
});

test("closeGrace and closeTimeout are checked", async () => {
  await assert.rejects(async () => await startServer({ closeGrace: -1 }), RangeError);
  await assert.rejects(async () => await startServer({ closeTimeout: 1.5 }), RangeError);
});
