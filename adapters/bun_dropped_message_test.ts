// Bun drops a message (`sendBinary` returns 0 on an open socket) once more than its
// `backpressureLimit` is queued for the client. Where that limit is under the server's
// `maxSendBuffer` (Hono's own Bun handlers keep Bun's default of 16 MiB, or an app sets its
// own), the core's slow-reader close never came: every later message was lost without a word.
// The adapters now close such a client as a slow reader (1008). Bun only.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { Server, type ServerOptions } from "../server.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import type { ProtocolViolation } from "../server/options.ts";
import { serveHono } from "../testing/serve_hono.ts";
import { stalledClient } from "../testing/stalled_client.ts";
import { until } from "../testing/until.ts";
import { type BunHandlers, bunHandlers } from "./bun.ts";

interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    fetch: BunHandlers["fetch"];
    websocket: Record<string, unknown>;
  }): { port: number; stop(closeActive?: boolean): Promise<void> | void };
}

const bun = (globalThis as { Bun?: BunLike }).Bun;
const chunk = new Uint8Array(256 * 1024);

/** A server that pushes up to 64 MiB to whoever asks for `push`, and what it saw. */
function pushingServer(options: ServerOptions) {
  const seen = {
    violations: [] as ProtocolViolation[],
    disconnects: [] as DisconnectReason[],
    pushed: 0,
    finished: false,
  };
  const server = new Server({
    ...options,
    logger: silentLogger,
    onProtocolViolation: (_connection, violation) => void seen.violations.push(violation),
    onClientDisconnected: (_connection, reason) => void seen.disconnects.push(reason),
    onRequest: async ({ connection }) => {
      for (let i = 0; i < 256 && connection.isActive; i++) {
        connection.signal("chunk", chunk);
        seen.pushed++;
        if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      seen.finished = true;
      return "done";
    },
  });
  return { server, seen };
}

/** Has a client that never reads ask `url` for the push; checks it is closed as a slow reader. */
async function expectSlowReaderClose(url: string, seen: ReturnType<typeof pushingServer>["seen"]) {
  let stalled: Socket | undefined;
  try {
    stalled = await stalledClient(url, encodeRequest({ id: requestIdFromNumber(1), name: "p" }));
    await until(() => seen.disconnects.length > 0 || seen.finished, "the push ended", 20_000);
    await until(() => seen.disconnects.length > 0, "the stalled client was disconnected", 3_000)
      .catch(() => {});
    assert.equal(seen.disconnects[0]?.kind, "slow-reader", `pushed ${seen.pushed} chunks`);
    assert.equal(seen.disconnects[0].code, 1008);
    assert.equal(seen.violations[0]?.kind, "slow-reader");
    assert.match(seen.violations[0].message, /dropped a message/);
    assert.ok(seen.pushed < 256, `the pushes stopped after ${seen.pushed} chunks`);
  } finally {
    stalled?.destroy();
  }
}

if (bun !== undefined) {
  test("Hono's own Bun handlers: a message Bun drops closes a slow reader", async () => {
    // Bun's default backpressureLimit (16 MiB) is under this maxSendBuffer.
    const { server, seen } = pushingServer({ maxSendBuffer: 48 * 1024 * 1024 });
    const running = await serveHono(server, { bunEvents: "hono" });
    try {
      await expectSlowReaderClose(running.url, seen);
    } finally {
      await running.close();
    }
  });

  test("bunHandlers under a lower backpressureLimit: a dropped message closes", async () => {
    const { server, seen } = pushingServer({});
    const handlers = bunHandlers(server);
    const http = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: handlers.fetch,
      // An app's own limit, under the core's maxSendBuffer (8 MiB), and no close by Bun.
      websocket: {
        ...handlers.websocket,
        backpressureLimit: 1024 * 1024,
        closeOnBackpressureLimit: false,
      },
    });
    try {
      await expectSlowReaderClose(`ws://127.0.0.1:${http.port}/`, seen);
    } finally {
      await server.shutdown();
      await http.stop(true);
    }
  });
}
