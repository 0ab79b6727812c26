// An upgrade request for a path other than the WebWire endpoint, on serveDeno, serveDenoTcp,
// serveBun and serveNode over real sockets: every adapter routes a target alike (`/./ws` is
// `/ws`), and off the endpoint the fallback's answer is written as for a plain request, an
// endless event stream included (streamed with backpressure, cancelled when the client leaves,
// cut when the server closes), a fallback that throws answered 500 (never with its error).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { Server } from "../server/server.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { listeningAdapters } from "../testing/listening_adapters.ts";
import { until } from "../testing/until.ts";

const adapters = listeningAdapters;

/** An upgrade request for `target` on a raw socket, and what the server has answered so far. */
class UpgradeAttempt {
  readonly socket: Socket;
  answer = "";
  closed = false;

  constructor(port: number, target: string) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.setEncoding("latin1");
    this.socket.on("data", (chunk: string) => this.answer += chunk);
    this.socket.on("error", () => {});
    this.socket.on("close", () => this.closed = true);
    this.socket.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    );
  }

  /** The status line, once it came. */
  async status(): Promise<string> {
    await until(() => this.answer.includes("\r\n") || this.closed, "a status line");
    return this.answer.split("\r\n")[0];
  }
}

/** An endless event stream of 64 KiB events that counts its pulls. */
function events(): { body: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0;
  const event = new TextEncoder().encode(`data: ${"x".repeat(65536)}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      pulls++;
      if (pulls > 1) await new Promise((resolve) => setTimeout(resolve, 1));
      controller.enqueue(event);
    },
  }, { highWaterMark: 0 });
  return { body, pulls: () => pulls };
}

for (const { name, serve } of adapters) {
  test(`${name}: /./ws, /x/../ws and /%2e/ws are the endpoint /ws, as its URL says`, async () => {
    const running = await serve(new Server({ sessionsEnabled: false }), {
      port: 0,
      path: "/ws",
      fallback: (request) => new Response(`fallback saw ${new URL(request.url).pathname}`),
    });
    try {
      for (const target of ["/ws", "/./ws", "/x/../ws", "/%2e/ws", "/ws?x=1"]) {
        const attempt = new UpgradeAttempt(running.port, target);
        assert.match(await attempt.status(), /^HTTP\/1\.1 101 /, target);
        attempt.socket.destroy();
      }
      const elsewhere = new UpgradeAttempt(running.port, "/./other");
      assert.match(await elsewhere.status(), /^HTTP\/1\.1 200 /);
      await until(() => elsewhere.answer.includes("fallback saw /other"), "the fallback's body");
      elsewhere.socket.destroy();
    } finally {
      await running.close();
    }
  });

  test(`${name}: an upgrade off the endpoint streams an endless fallback body, stopped when the client leaves`, async () => {
    let stream: ReturnType<typeof events> | undefined;
    const running = await serve(new Server({ sessionsEnabled: false }), {
      port: 0,
      path: "/ws",
      fallback: () => {
        stream = events();
        return new Response(stream.body, { headers: { "content-type": "text/event-stream" } });
      },
    });
    try {
      const attempt = new UpgradeAttempt(running.port, "/events");
      assert.match(await attempt.status(), /^HTTP\/1\.1 200 /);
      await until(() => attempt.answer.includes("data: xxx"), "the first event");
      // The client stops reading: once the kernel's buffers are full, backpressure holds the
      // stream back (a few MB in all).
      attempt.socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 800));
      const paused = stream!.pulls();
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.ok(stream!.pulls() - paused <= 2, `${stream!.pulls() - paused} pulls while paused`);
      attempt.socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const gone = stream!.pulls();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(stream!.pulls() - gone <= 1, "the body is cancelled once the client left");
    } finally {
      await running.close();
    }
  });

  test(`${name}: close() cuts an upgrade off the endpoint still streaming`, async () => {
    const running = await serve(new Server({ sessionsEnabled: false }), {
      port: 0,
      path: "/ws",
      fallback: () => new Response(events().body),
    });
    const attempt = new UpgradeAttempt(running.port, "/events");
    assert.match(await attempt.status(), /^HTTP\/1\.1 200 /);
    const started = performance.now();
    await running.close();
    const took = performance.now() - started;
    assert.ok(took < 4000, `close took ${took} ms`);
    await until(() => attempt.closed, "the stream cut");
  });

  test(`${name}: a fallback that throws is answered 500 without its error, logged 1st and 10th`, async () => {
    const log = recordingLogger();
    const running = await serve(new Server({ sessionsEnabled: false, logger: log.logger }), {
      port: 0,
      path: "/ws",
      fallback: () => {
        throw new Error("the fallback's own bug, password=hunter2");
      },
    });
    try {
      const attempt = new UpgradeAttempt(running.port, "/boom");
      assert.match(await attempt.status(), /^HTTP\/1\.1 500 /);
      await until(() => attempt.closed || attempt.answer.includes("\r\n\r\n"), "the head");
      attempt.socket.destroy();
      const http = running.url.replace(/^ws/, "http").replace(/\/ws$/, "/page");
      for (let i = 0; i < 11; i++) {
        const response = await fetch(http);
        assert.equal(response.status, 500);
        assert.ok(!(await response.text()).includes("hunter2"), "the error stays on the server");
      }
      const lines = log.errors.map((error) => error.message);
      assert.deepEqual(lines, ["fallback failed (1 so far)", "fallback failed (10 so far)"]);
    } finally {
      await running.close();
    }
  });
}
