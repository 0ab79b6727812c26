// Graceful shutdown under load and a bad frame among many: the client sees the documented close
// code (not 1006) and every request it sent before the shutdown began is answered, on every
// adapter. The clients are the runtime's own WebSocket, as an application's would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { silentLogger } from "../protocol/logger.ts";
import { adaptersOfThisRuntime, startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";

const adapters = adaptersOfThisRuntime;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LoadResult {
  code: number;
  sentBeforeShutdown: number;
  lostBeforeShutdown: number;
}

/**
 * A client keeping `inFlight` echo requests outstanding until the server closes it; `progress`
 * counts the replies it got.
 */
function loadClient(
  url: string,
  inFlight: number,
  shutdownBegan: () => number | undefined,
  progress: { replies: number },
) {
  return new Promise<LoadResult>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const sentAt = new Map<number, number>();
    let next = 1;
    let stopped = false;
    let sentBeforeShutdown = 0;
    const send = () => {
      const id = next++;
      if (shutdownBegan() === undefined) sentBeforeShutdown++;
      sentAt.set(id, performance.now());
      const request = encodeRequest({ id: requestIdFromNumber(id), name: "echo", payload: "x" });
      socket.send(request as Uint8Array<ArrayBuffer>);
    };
    socket.onopen = () => {
      for (let i = 0; i < inFlight; i++) send();
    };
    socket.onmessage = (event) => {
      const message = decodeMessage(new Uint8Array(event.data as ArrayBuffer));
      if (message.kind !== "reply" && message.kind !== "shutdown-reply") return;
      progress.replies++;
      sentAt.delete(requestIdKey(message.id));
      // As a client would: no new requests to a server that said it is shutting down.
      if (message.kind === "shutdown-reply") stopped = true;
      if (socket.readyState === WebSocket.OPEN && !stopped) send();
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      const began = shutdownBegan();
      if (began === undefined) {
        return reject(new Error(`closed before the shutdown: ${event.code}`));
      }
      const unanswered = [...sentAt.values()];
      resolve({
        code: event.code,
        sentBeforeShutdown,
        lostBeforeShutdown: unanswered.filter((at) => at < began).length,
      });
    };
  });
}

for (const adapter of adapters) {
  test(`shutdown under load: 1001 for every client, no request sent before it lost (${adapter} adapter)`, async () => {
    const shutdown: { began?: number } = {};
    const running = await startServer({
      adapter,
      logger: silentLogger,
      onRequest: async (request) => {
        await sleep(1);
        return request.payload;
      },
    });
    const progress = Array.from({ length: 4 }, () => ({ replies: 0 }));
    const clients = progress.map((counted) =>
      loadClient(running.url, 16, () => shutdown.began, counted)
    );
    // Under load means every client has its requests answered and sends more: wait for that
    // (however long a busy machine takes) rather than for a fixed time.
    await until(() => progress.every((p) => p.replies >= 16), "every client under load", 30_000);
    shutdown.began = performance.now();
    await running.close();
    const results = await Promise.all(clients);
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 1001, `client ${i} saw ${result.code}`);
      assert.ok(result.sentBeforeShutdown > 16, `client ${i} was under load`);
      assert.equal(result.lostBeforeShutdown, 0, `client ${i} lost replies`);
    }
  });

  test(`a client still sending after its bad frame sees 1002 (${adapter} adapter)`, async () => {
    const running = await startServer({
      adapter,
      logger: silentLogger,
      onRequest: (request) => request.payload,
    });
    try {
      const codes: number[] = [];
      for (let round = 0; round < 5; round++) {
        const code = await new Promise<number>((resolve) => {
          const socket = new WebSocket(running.url);
          socket.binaryType = "arraybuffer";
          socket.onopen = () => {
            socket.send(new Uint8Array([6, 0, 0]));
            // Sent before the client can know the server closes: the burst of a pipelining
            // client. Deno's socket drops the connection on data after its close frame.
            for (let i = 0; i < 1000; i++) socket.send(new Uint8Array(1000));
          };
          socket.onerror = () => {};
          socket.onclose = (event) => resolve(event.code);
        });
        codes.push(code);
      }
      // Deno's own WebSocket server (its adapter and Hono's on Deno) closes the TCP connection
      // when a frame arrives after its close frame; the adapters wait for a 50 ms pause of the
      // client first, which a loaded machine can break now and then (docs/server.md).
      const onDenoSocket = "Deno" in globalThis && adapter !== "node";
      const seen = codes.filter((code) => code === 1002).length;
      assert.ok(
        onDenoSocket ? seen >= 3 : seen === 5,
        `1002 in ${seen} of 5 rounds (codes ${codes.join(", ")})`,
      );
    } finally {
      await running.close();
    }
  });
}
