// A fallback whose response body fails, on every adapter that takes a fallback, over real
// sockets: failing at once, it is the fallback's failure (500 "internal server error", logged
// at the 1st, 10th, ... time), for a plain request and an upgrade off the endpoint alike, except
// on serveBun, which hands the body to Bun as it is (Bun cuts it and prints the failure); after
// its head the client sees the body cut short, never passed off as whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { Server } from "../server/server.ts";
import { listeningAdapters } from "../testing/listening_adapters.ts";
import { recordingLogger } from "../testing/recording_logger.ts";

/** A body whose first read fails. */
const failingAtOnce = (): Response =>
  new Response(
    new ReadableStream({
      pull: () => {
        throw new Error("the source broke at once, secret=hunter2");
      },
    }),
    { headers: { "x-from": "fallback" } },
  );

/** A body that sends its first chunk, then fails. */
function failingLater(): Response {
  let reads = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (reads++ > 0) throw new Error("the source broke later");
        controller.enqueue(new TextEncoder().encode("first part"));
      },
    }),
  );
}

/**
 * The answer to a raw upgrade request for `target`, read until it ends with `last` (the
 * connection may stay open) or the server closes.
 */
function upgradeAnswer(port: number, target: string, last: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    const socket = connect(port, "127.0.0.1");
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      answer += chunk;
      if (answer.endsWith(last)) socket.destroy();
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    );
  });
}

for (const { name, serve } of listeningAdapters) {
  test(`${name}: a fallback body that fails at once is answered 500, logged`, {
    skip: name === "bun" ? "Bun answers and prints it itself" : false,
  }, async () => {
    const log = recordingLogger();
    const running = await serve(new Server({ sessionsEnabled: false, logger: log.logger }), {
      port: 0,
      path: "/ws",
      fallback: failingAtOnce,
    });
    try {
      const page = running.url.replace(/^ws/, "http").replace(/\/ws$/, "/page");
      for (let i = 0; i < 10; i++) {
        const response = await fetch(page);
        assert.equal(response.status, 500);
        assert.equal(response.headers.get("x-from"), null, "none of the failed answer's head");
        assert.equal(await response.text(), "internal server error\n");
      }
      const upgrade = await upgradeAnswer(
        running.port,
        "/events",
        "\r\n\r\ninternal server error\n",
      );
      assert.match(upgrade, /^HTTP\/1\.1 500 /);
      assert.ok(upgrade.endsWith("\r\n\r\ninternal server error\n"), upgrade);
      const logged = log.errors.map(({ message, details }) => [
        message,
        (details[0] as Error).message,
      ]);
      const cause = "the source broke at once, secret=hunter2";
      assert.deepEqual(logged, [
        ["fallback failed (1 so far)", cause],
        ["fallback failed (10 so far)", cause],
      ]);
    } finally {
      await running.close();
    }
  });

  test(`${name}: a fallback body that fails after its head is cut short`, async () => {
    const log = recordingLogger();
    const running = await serve(new Server({ sessionsEnabled: false, logger: log.logger }), {
      port: 0,
      path: "/ws",
      fallback: failingLater,
    });
    try {
      // Where the adapter writes the body itself, it logs the failure; Deno's and Bun's own
      // servers print it themselves (twice here: each print is a stack on the test's output).
      const logs = name === "node" || name === "deno-tcp";
      const page = running.url.replace(/^ws/, "http").replace(/\/ws$/, "/page");
      for (let i = 0; i < (logs ? 10 : 2); i++) {
        const response = await fetch(page);
        assert.equal(response.status, 200);
        await assert.rejects(response.text(), "the cut body is never read as whole");
      }
      const expected = logs
        ? ["fallback response body failed (1 so far)", "fallback response body failed (10 so far)"]
        : [];
      assert.deepEqual(log.errors.map(({ message }) => message), expected);
    } finally {
      await running.close();
    }
  });
}

test("bun: a large fallback body keeps its length (Bun gets it as it is)", {
  skip: !("Bun" in globalThis),
}, async () => {
  const bun = listeningAdapters.find((adapter) => adapter.name === "bun")!;
  const body = new Uint8Array(200_000).fill(7);
  const running = await bun.serve(new Server({ sessionsEnabled: false }), {
    port: 0,
    path: "/ws",
    fallback: () => new Response(body),
  });
  try {
    const response = await fetch(running.url.replace(/^ws/, "http").replace(/\/ws$/, "/big"));
    assert.equal(response.headers.get("content-length"), "200000");
    assert.equal((await response.arrayBuffer()).byteLength, 200_000);
  } finally {
    await running.close();
  }
});
