// Tests of the Node adapter's HTTP side for requests off the WebSocket endpoint (the `fallback`
// of serveNode), of the URL its hooks see, and of its requestTimeout (the values it takes, and
// requests that `node:http` answers itself), over real sockets with a raw HTTP client. Runs under
// Deno and Bun directly, and under Node after scripts/extra_suites.mjs has bundled it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { recordingServer } from "../testing/recording_server.ts";
import { until } from "../testing/until.ts";
import { serveNode } from "./node.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("node: a fallback's event stream flows, and is cancelled once the client leaves", async () => {
  let cancelled = false;
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode("data: first\n\n")),
          cancel: () => void (cancelled = true),
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  });
  try {
    const peer = await RawHttpPeer.connect(running.port);
    peer.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    // The stream stays open: the head and the first event must not wait for its end.
    await until(() => peer.text.includes("data: first\n\n"), "the first event", 3000);
    assert.deepEqual(peer.statuses, [200]);
    assert.match(peer.text, /\r\ntransfer-encoding: chunked\r\n/i);
    peer.destroy();
    await until(() => cancelled, "the body cancelled once the client left", 3000);
  } finally {
    await running.close();
  }
});

test("node: a fallback body that fails after its head is cut, never ended as whole", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => {
            controller.enqueue(new TextEncoder().encode("partial"));
            setTimeout(() => controller.error(new Error("upstream died")), 50);
          },
        }),
      ),
  });
  try {
    const peer = await RawHttpPeer.connect(running.port);
    peer.write("GET /proxied HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => peer.closed, "the connection ends", 3000);
    assert.ok(peer.text.includes("partial"), peer.text);
    // The last chunk (0) would tell the client the body is complete.
    assert.ok(!peer.text.endsWith("0\r\n\r\n"), peer.text);
  } finally {
    await running.close();
  }
});

test("node: a target starting with // stays a path on the host; a bad host gets 400", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: (request) => new Response(request.url),
  });
  let asked = "";
  const everyPath = await serveNode(
    recordingServer({
      beforeUpgrade: (request) => new Response(asked = request.url, { status: 403 }),
    }).server,
    { port: 0, hostname: "127.0.0.1" },
  );
  const ask = async (port: number, head: string) => {
    const peer = await RawHttpPeer.connect(port);
    peer.write(head);
    await until(() => peer.closed, "the answer and the end of the connection", 3000);
    return peer.text;
  };
  try {
    const page = await ask(
      running.port,
      "GET //other.example/admin?x=1 HTTP/1.1\r\nHost: app.local\r\nConnection: close\r\n\r\n",
    );
    assert.ok(page.endsWith("\r\n\r\nhttp://app.local//other.example/admin?x=1"), page);
    const upgrade = (target: string, host: string) =>
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert.match(await ask(everyPath.port, upgrade("//other.example/", "app.local")), / 403 /);
    assert.equal(asked, "http://app.local//other.example/");
    // Off the endpoint, a host that makes no valid URL: 400, for an upgrade as for a request.
    assert.match(await ask(running.port, upgrade("/other", "a b")), /^HTTP\/1\.1 400 /);
    const plain = (host: string) =>
      `GET /other?y=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
    assert.match(await ask(running.port, plain("a b")), /^HTTP\/1\.1 400 /);
    // A host with a path, query or fragment would change the path or query handlers see.
    for (const host of ["example.com/admin", "example.com?token=forged#", "example.com#"]) {
      assert.match(await ask(running.port, plain(host)), /^HTTP\/1\.1 400 /, host);
    }
  } finally {
    await running.close();
    await everyPath.close();
  }
});

test("node: requestTimeout: Infinity for none, 2^31 clamped; 0, NaN… refused", async () => {
  for (const requestTimeout of [Infinity, 2 ** 31, Number.MAX_VALUE]) {
    // `setTimeout` fires any of them after about 1 ms: every connection would be dropped.
    const running = await serveNode(recordingServer({}).server, {
      path: "/ws",
      fallback: () => new Response("page"),
      requestTimeout,
    });
    try {
      const peer = await RawHttpPeer.connect(running.port);
      await sleep(100);
      peer.write("GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
      await until(() => peer.statuses.length === 1 || peer.closed, "an answer", 3000);
      assert.deepEqual(peer.statuses, [200], `requestTimeout ${requestTimeout}`);
      assert.equal(peer.closed, false);
      peer.destroy();
    } finally {
      await running.close();
    }
  }
  for (const requestTimeout of [0, -1, NaN, -Infinity, "5000" as unknown as number]) {
    const { server } = recordingServer({});
    await assert.rejects(
      async () => await serveNode(server, { path: "/ws", requestTimeout }),
      (error) =>
        error instanceof RangeError && /^requestTimeout must be a positive/.test(error.message),
      String(requestTimeout),
    );
    await server.shutdown();
  }
});

test("node: an Expect other than 100-continue gets 417; the connection is kept", async () => {
  const running = await serveNode(recordingServer({}).server, {
    path: "/ws",
    fallback: () => new Response("page"),
    requestTimeout: 300,
  });
  try {
    const peer = await RawHttpPeer.connect(running.port);
    peer.write("GET /page HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n");
    await until(() => peer.statuses.length === 1, "the answer to the first request", 3000);
    assert.deepEqual(peer.statuses, [417]);
    // The keep-alive connection has had its first request: the limit no longer runs.
    await sleep(600);
    assert.equal(peer.closed, false, "the connection outlives requestTimeout");
    peer.write("GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => peer.statuses.length === 2 || peer.closed, "the second answer", 3000);
    assert.deepEqual(peer.statuses, [417, 200]);
    peer.destroy();
  } finally {
    await running.close();
  }
});

test("node: a CONNECT request is answered (fallback, or 400 where no Request takes it)", async () => {
  const { server } = recordingServer({});
  const running = await serveNode(server, {
    path: "/ws",
    fallback: (request) => new Response(`fallback got ${request.method}`, { status: 403 }),
  });
  try {
    const peer = await RawHttpPeer.connect(running.port);
    peer.write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    await until(() => peer.closed, "the connection ends once answered", 3000);
    // Bun's `Request` takes the CONNECT method; Node's and Deno's refuse it (400).
    const fallback = peer.text.includes("fallback got CONNECT");
    assert.deepEqual(peer.statuses, [fallback ? 403 : 400], peer.text);
  } finally {
    await running.close();
  }
});
