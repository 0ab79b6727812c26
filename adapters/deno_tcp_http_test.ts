// serveDenoTcp's HTTP side for requests off the WebWire path, over real TCP connections: a
// streamed fallback response (server-sent events) and its cancellation, request bodies
// (content-length, chunked), the request's URL and the 400s, a failing fallback, and the time
// limits (requestTimeout for the client's head and body, never for the server's own work).
// Deno only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { exchange } from "../testing/raw_exchange.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { until } from "../testing/until.ts";
import type { RunningServer } from "./deno.ts";
import { type DenoTcpListenOptions, serveDenoTcp } from "./deno_tcp.ts";
import { endlessFallback, withDenoTcpServer } from "../testing/deno_tcp_server.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);
const skip = !isDeno && "Deno only";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server with its WebSocket endpoint on `/ws` (the fallback answers every other path). */
const withServer = (
  options: ServerOptions & DenoTcpListenOptions,
  run: (running: RunningServer) => Promise<void>,
) => withDenoTcpServer({ path: "/ws", ...options }, run);

/** An endless event stream: one event every `everyMs`, and whether it was cancelled. */
function eventStream(everyMs: number) {
  const state = { produced: 0, cancelled: 0 };
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = () =>
    new ReadableStream<Uint8Array>({
      start: (controller) => {
        timer = setInterval(() => {
          controller.enqueue(new TextEncoder().encode(`data: ${state.produced++}\n\n`));
        }, everyMs);
      },
      cancel: () => {
        state.cancelled++;
        clearInterval(timer);
      },
    });
  return { state, body };
}

test("a streamed fallback body reaches the client as it comes; cancelled when it leaves", {
  skip,
}, async () => {
  const events = eventStream(20);
  const fallback = () =>
    new Response(events.body(), { headers: { "content-type": "text/event-stream" } });
  await withServer({ fallback }, async ({ port }) => {
    const peer = await RawHttpPeer.connect(port);
    peer.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => peer.text.includes("data: 2\n\n"), "the first events, while it streams");
    assert.match(peer.text, /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/event-stream\r\n/);
    assert.match(peer.text, /\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n/);
    assert.match(peer.text, /\r\n\r\n9\r\ndata: 0\n\n\r\n9\r\ndata: 1\n\n\r\n/);
    assert.equal(events.state.cancelled, 0);
    peer.destroy();
    await until(() => events.state.cancelled === 1, "the body cancelled once the client left");
  });
});

test("running.close() lets a response under way finish, and closes a silent connection", {
  skip,
}, async () => {
  const parts = ["one ", "two ", "three"];
  const fallback = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          await sleep(150);
          const part = parts.shift();
          if (part === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(part));
        },
      }),
    );
  const server = new Server({ sessionManager: new MemorySessionManager(), logger: silentLogger });
  const running = await serveDenoTcp(server, { path: "/ws", fallback });
  const answered = await RawHttpPeer.connect(running.port);
  const silent = await RawHttpPeer.connect(running.port);
  try {
    answered.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => answered.text.includes("one "), "the response under way");
    await running.close();
    await until(() => silent.closed, "the connection that sent nothing closed");
    await until(() => answered.closed, "the answered connection closed");
    assert.match(answered.text, /\r\n\r\n4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n$/);
  } finally {
    answered.destroy();
    silent.destroy();
  }
});

test("running.close() cancels a streamed fallback body after 2 s and ends its connection", {
  skip,
}, async () => {
  const events = eventStream(20);
  const fallback = () => new Response(events.body());
  const server = new Server({ sessionManager: new MemorySessionManager(), logger: silentLogger });
  const running = await serveDenoTcp(server, { path: "/ws", fallback });
  const peer = await RawHttpPeer.connect(running.port);
  try {
    peer.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => peer.text.includes("data: 1\n\n"), "events streaming");
    await running.close();
    await until(() => events.state.cancelled === 1, "the body cancelled at close");
    await until(() => peer.closed, "the connection closed");
  } finally {
    peer.destroy();
  }
});

test("a quiet stream is cancelled when the client leaves, and at running.close()", {
  skip,
}, async () => {
  let cancelled = 0;
  const fallback = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode("data: hi\n\n")),
        cancel: () => void cancelled++,
      }),
    );
  const server = new Server({ sessionManager: new MemorySessionManager(), logger: silentLogger });
  const running = await serveDenoTcp(server, { path: "/ws", fallback });
  const leaving = await RawHttpPeer.connect(running.port);
  const staying = await RawHttpPeer.connect(running.port);
  try {
    for (const peer of [leaving, staying]) peer.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => leaving.text.includes("data: hi") && staying.text.includes("data: hi"), "hi");
    leaving.destroy(); // nothing is written after this: only the read sees it leave
    await until(() => cancelled === 1, "cancelled once the client left");
    await running.close();
    await until(() => cancelled === 2, "cancelled at close");
    await until(() => staying.closed, "the connection closed");
  } finally {
    staying.destroy();
  }
});

test("a body there at once leaves whole with a length; HTTP/1.0 gets a stream unchunked", {
  skip,
}, async () => {
  const events = eventStream(10);
  const fallback = (request: Request) =>
    new URL(request.url).pathname === "/page"
      ? new Response("the page")
      : new Response(events.body());
  await withServer({ fallback }, async ({ port }) => {
    const page = await exchange(port, "GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(page, /\r\ncontent-length: 8\r\nconnection: close\r\n\r\nthe page$/);
    const peer = await RawHttpPeer.connect(port);
    peer.write("GET /events HTTP/1.0\r\nHost: x\r\n\r\n");
    await until(() => peer.text.includes("data: 1\n\n"), "events streaming");
    assert.match(peer.text, /\r\nconnection: close\r\n\r\ndata: 0\n\ndata: 1\n\n/);
    assert.doesNotMatch(peer.text, /transfer-encoding|content-length/);
    peer.destroy();
  });
});

test("a client that half-closes after its request still gets the answer", { skip }, async () => {
  const fallback = () => new Response("the page");
  await withServer({ fallback }, async ({ port }) => {
    for (const request of ["GET /page HTTP/1.0\r\n\r\n", "GET /page HTTP/1.1\r\nHost: x\r\n\r\n"]) {
      const peer = await RawHttpPeer.connect(port);
      peer.write(request);
      peer.end(); // as `nc -N` or a health check that shuts its sending side down
      await until(() => peer.closed, "the answer and the end of the connection", 3000);
      assert.match(peer.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nthe page$/);
    }
  });
});

test("request.url: a target starting with // stays a path on the Host", { skip }, async () => {
  const urls: string[] = [];
  const fallback = (request: Request) => {
    urls.push(request.url);
    return new Response("ok");
  };
  await withServer({ fallback }, async ({ port }) => {
    await exchange(port, "GET //other.example/admin?x=1 HTTP/1.1\r\nHost: app.local\r\n\r\n");
    await exchange(port, "GET /page HTTP/1.1\r\nHost: app.local:8080\r\n\r\n");
  });
  assert.deepEqual(urls, [
    "http://app.local//other.example/admin?x=1",
    "http://app.local:8080/page",
  ]);
});

test("a Host or a header value that makes no valid Request gets 400", { skip }, async () => {
  let called = 0;
  const fallback = () => (called++, new Response("ok"));
  await withServer({ fallback }, async ({ port }) => {
    for (const host of ["a b", "", "x@evil", "x/y", "[::1"]) {
      const answer = await exchange(port, `GET /page HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/, `host ${JSON.stringify(host)}`);
    }
    const bareLf = await exchange(port, "GET /page HTTP/1.1\r\nHost: x\r\nx-a: 1\n2\r\n\r\n");
    assert.match(bareLf, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
  assert.equal(called, 0);
});

test("a fallback that throws or rejects gets 500, logged at the 1st, 10th, ... failure", {
  skip,
}, async () => {
  const recorded = recordingLogger();
  const fallback = (request: Request) => {
    if (new URL(request.url).pathname === "/throw") throw new Error("thrown");
    return Promise.reject(new Error("rejected"));
  };
  await withServer({ fallback, logger: recorded.logger }, async ({ port }) => {
    for (const path of ["/throw", "/reject"]) {
      const answer = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    }
  });
  assert.deepEqual(
    recorded.errors.map(({ message, details }) => [message, (details[0] as Error).message]),
    [["fallback failed (1 so far)", "thrown"]],
  );
});

test("request bodies: chunked ones decoded; content-length digits only", { skip }, async () => {
  const fallback = async (request: Request) => new Response(`got ${await request.text()}`);
  await withServer({ fallback }, async ({ port }) => {
    const post = (headers: string, body: string) =>
      exchange(port, `POST /form HTTP/1.1\r\nHost: x\r\n${headers}\r\n${body}`);
    const chunked = "Transfer-Encoding: chunked\r\n";
    assert.match(await post(chunked, "5\r\nhello\r\n0\r\n\r\n"), /^HTTP\/1\.1 200 [^]*got hello$/);
    assert.match(
      await post(chunked, "3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nx-trailer: 1\r\n\r\n"),
      /^HTTP\/1\.1 200 [^]*got hello$/,
    );
    for (const bad of ["5\r\nhelloXX0\r\n\r\n", "z\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n"]) {
      assert.match(await post(chunked, bad), /^HTTP\/1\.1 400 /, JSON.stringify(bad));
    }
    const big = `100001\r\n${"a".repeat(0x100001)}\r\n0\r\n\r\n`;
    assert.match(await post(chunked, big), /^HTTP\/1\.1 413 /);
    assert.match(await post("Transfer-Encoding: gzip\r\n", ""), /^HTTP\/1\.1 501 /);
    assert.match(await post(`Content-Length: 5\r\n${chunked}`, "hello"), /^HTTP\/1\.1 400 /);
    for (const length of ["abc", "0x3", "3e0", "+3", "-1", "3.0", "", "3, 3"]) {
      const answer = await post(`Content-Length: ${length}\r\n`, "hello");
      assert.match(answer, /^HTTP\/1\.1 400 [^]*bad content-length\n$/, length);
    }
    assert.match(await post("Content-Length: 005\r\n", "hello"), /got hello$/);
  });
});

test("requestTimeout bounds the client's head and body, not the server's own work", {
  skip,
}, async () => {
  const fallback = async (request: Request) => {
    if (new URL(request.url).pathname === "/slow") await sleep(400);
    return new Response(`got ${await request.text()}`);
  };
  await withServer({ fallback, requestTimeout: 200 }, async ({ port }) => {
    const slow = await exchange(port, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(slow, /^HTTP\/1\.1 200 OK\r\n[^]*got $/, "a fallback slower than the limit");
    // A body that stops halfway is dropped once the limit has passed since the head.
    const started = performance.now();
    const cut = await exchange(
      port,
      "POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
    );
    assert.equal(cut, "");
    assert.ok(performance.now() - started >= 150, "dropped by the body's deadline");
  });
});

test("a response that a client does not read is dropped after requestTimeout", {
  skip,
}, async () => {
  const { fallback, cancelled } = endlessFallback();
  await withServer({ fallback, requestTimeout: 300 }, async ({ port }) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    // Never reads: the server's writes stall once the kernel's buffers are full.
    await until(cancelled, "the body cancelled when the writes stalled");
    conn.close();
  });
});

test("requestTimeout: Infinity for none, 2^31 clamped; 0, NaN… refused", {
  skip,
}, async () => {
  const fallback = async (request: Request) => new Response(`got ${await request.text()}`);
  for (const requestTimeout of [Infinity, 2 ** 31, Number.MAX_VALUE]) {
    // `setTimeout` fires any of them after about 1 ms: every connection would be dropped.
    await withServer({ fallback, requestTimeout }, async ({ port }) => {
      const peer = await RawHttpPeer.connect(port);
      await sleep(100);
      peer.write("POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
      await sleep(100);
      peer.write("hello");
      await until(() => peer.closed, "the answer and the end of the connection", 3000);
      assert.match(peer.text, /^HTTP\/1\.1 200 OK\r\n[^]*got hello$/, String(requestTimeout));
    });
  }
  for (const requestTimeout of [0, -1, NaN, -Infinity, "5000" as unknown as number]) {
    const server = new Server({ logger: silentLogger });
    await assert.rejects(
      async () => await serveDenoTcp(server, { port: 0, requestTimeout }),
      (error) =>
        error instanceof RangeError && /^requestTimeout must be a positive/.test(error.message),
      String(requestTimeout),
    );
    await server.shutdown();
  }
});
