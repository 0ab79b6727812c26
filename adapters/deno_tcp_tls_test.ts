// serveDenoTcp with `tls` against clients that stall after the TLS handshake or send no TLS at
// all: each is dropped within requestTimeout (or at once), and none stops the server or floods
// its log; a response a client does not read, a half-close and a port in use behave as without
// TLS. (A client stalled in the handshake itself is not dropped: a Deno limit, see
// docs/server.md.) Deno only.
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { echoFrame, upgradeHead } from "../testing/raw_exchange.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { maskedCloseFrame, oneWrite } from "../testing/ws_frame.ts";
import { endlessFallback, readToEnd, withDenoTcpServer } from "../testing/deno_tcp_server.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);
const skip = !isDeno && "Deno only";

const read = (name: string) =>
  Deno.readTextFileSync(new URL(`../testing/tls/${name}`, import.meta.url));
const tls = isDeno ? { cert: read("localhost_cert.pem"), key: read("localhost_key.pem") } : {
  cert: "",
  key: "",
};
const ca = isDeno ? read("ca_cert.pem") : "";

/** How long a test waits for the server to drop a connection before it calls it kept. */
const patienceMs = 3000;

/**
 * Waits until the server ends `conn` (end of stream, or a reset): the milliseconds that took
 * from `since`, or `undefined` when it is still open after {@link patienceMs}.
 */
async function droppedAfter(conn: Deno.Conn, since: number): Promise<number | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kept = new Promise<"kept">((resolve) => timer = setTimeout(resolve, patienceMs, "kept"));
  const buffer = new Uint8Array(4096);
  const ended = (async () => {
    try {
      while (await conn.read(buffer) !== null) { /* what the server sends is dropped */ }
    } catch {
      // A reset, or a TLS record cut short: the server closed it all the same.
    }
    return "ended" as const;
  })();
  const how = await Promise.race([kept, ended]);
  clearTimeout(timer);
  conn.close();
  await ended;
  return how === "ended" ? performance.now() - since : undefined;
}

/** Asserts that a connection the server should drop at requestTimeout (200 ms) is dropped. */
async function assertDroppedAtDeadline(
  connect: () => Promise<Deno.Conn>,
  what: string,
): Promise<void> {
  const lateness = LoopLateness.start();
  const started = performance.now();
  const conn = await connect();
  const elapsed = await droppedAfter(conn, started);
  const late = lateness.stop();
  assert.ok(elapsed !== undefined, `${what}: still open after ${patienceMs} ms`);
  assert.ok(
    elapsed >= 150 && elapsed < 2000 + late,
    `${what}: dropped after ${Math.round(elapsed)} ms (event loop ${Math.round(late)} ms late)`,
  );
}

/** Upgrades over TLS, sends one request and a close: the echo of request 9 came back. */
async function assertServes(port: number): Promise<void> {
  const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
  const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
  await conn.write(oneWrite([head, echoFrame(9), maskedCloseFrame(1000)]));
  const answer = await readToEnd(conn);
  assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.equal(answer.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
}

test("with tls, a client that completes the handshake and sends no request is dropped", {
  skip,
}, async () => {
  await withDenoTcpServer({ tls, requestTimeout: 200 }, async ({ port }) => {
    await assertDroppedAtDeadline(async () => {
      const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
      await conn.handshake();
      return conn;
    }, "a client silent after its handshake");
  });
});

test("with tls, 1000 clients sending no TLS are dropped at once, logging nothing", {
  skip,
}, async () => {
  const { logger, warnings, errors } = recordingLogger();
  // A long requestTimeout: these must go because of what they sent, not by the deadline.
  await withDenoTcpServer({ tls, requestTimeout: 60_000, logger }, async ({ port }) => {
    const garbage = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const started = performance.now();
    for (let batch = 0; batch < 10; batch++) {
      const kept = await Promise.all(Array.from({ length: 100 }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(garbage);
        return await droppedAfter(conn, started) === undefined;
      }));
      assert.equal(kept.filter((open) => open).length, 0, `batch ${batch}: all dropped`);
    }
    await assertServes(port);
  });
  assert.deepEqual({ warnings, errors }, { warnings: [], errors: [] });
});

test("with tls, a response that a client does not read is dropped after requestTimeout", {
  skip,
}, async () => {
  const { fallback, cancelled } = endlessFallback();
  await withDenoTcpServer({ tls, path: "/ws", fallback, requestTimeout: 300 }, async ({ port }) => {
    const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
    await conn.write(new TextEncoder().encode("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    // Never reads: the server's writes stall once the kernel's buffers are full.
    const started = performance.now();
    while (!cancelled() && performance.now() - started < patienceMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(cancelled(), "the body cancelled when the writes stalled");
    conn.close();
  });
});

test("with tls, a client that half-closes after its request still gets the answer", {
  skip,
}, async () => {
  const fallback = () => new Response("the page");
  await withDenoTcpServer({ tls, path: "/ws", fallback }, async ({ port }) => {
    const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
    await conn.write(new TextEncoder().encode("GET /page HTTP/1.1\r\nHost: x\r\n\r\n"));
    await conn.closeWrite(); // close_notify, then FIN
    const answer = await readToEnd(conn);
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nthe page$/);
  });
});

test("with tls, a port in use rejects with Deno.errors.AddrInUse naming the address", {
  skip,
}, async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const where = `127.0.0.1:${taken.addr.port}`;
    await assert.rejects(
      withDenoTcpServer({ tls, port: taken.addr.port }, () => Promise.resolve()),
      (error) =>
        error instanceof Deno.errors.AddrInUse &&
        error.message.startsWith(`cannot listen on ${where}: `),
    );
  } finally {
    taken.close();
  }
});
