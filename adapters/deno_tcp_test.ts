// serveDenoTcp over real TCP connections: its HTTP answers, the upgrade, the frames it reads and
// the close frames it sends, including to a client that keeps sending (where Deno's own
// WebSocket resets the connection). Deno only; the adapter suites (send bursts, close deadline,
// close replies, live server suite) run it too.
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { echoFrame, exchange, repliedIds, upgradeHead } from "../testing/raw_exchange.ts";
import { refusedUpgrades } from "../testing/raw_exchange.ts"; // those every adapter refuses
import { pingFloodReplySize, pongsAfterPingFlood } from "../testing/ping_flood.ts";
import { rawAnswer, upgradeRequest } from "../testing/raw_answer.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import { maskedCloseFrame, maskedFrame, oneWrite, Opcode } from "../testing/ws_frame.ts";
import { readToEnd, withDenoTcpServer } from "../testing/deno_tcp_server.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const withServer = withDenoTcpServer;

test("HTTP answers: 426 without upgrade, 204 for OPTIONS, 426 for version 8, 400 for a bad key", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({}, async ({ port }) => {
    const plain = await exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(plain, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(plain, /\r\nupgrade: websocket\r\n/);
    assert.match(plain, /\r\nconnection: close\r\n\r\nexpected a WebSocket upgrade\n$/);
    assert.match(await exchange(port, "OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n"), /^HTTP\/1\.1 204 /);
    const version = await exchange(port, upgradeHead("Sec-WebSocket-Version: 8\r\n"));
    assert.match(version, /^HTTP\/1\.1 426 /);
    assert.match(version, /\r\nsec-websocket-version: 13\r\n/);
    const badKey = upgradeHead("Sec-WebSocket-Version: 13\r\n").replace(
      "dGhlIHNhbXBsZSBub25jZQ==",
      "short",
    );
    assert.match(await exchange(port, badKey), /^HTTP\/1\.1 400 /);
    assert.match(await exchange(port, "GET / HTTP/2.0\r\n\r\n"), /^HTTP\/1\.1 505 /);
    for (const refused of refusedUpgrades) {
      assert.match(await exchange(port, refused), /^HTTP\/1\.1 400 /, JSON.stringify(refused));
    }
    const huge = `GET / HTTP/1.1\r\nx: ${"a".repeat(20_000)}\r\n\r\n`;
    assert.match(await exchange(port, huge), /^HTTP\/1\.1 431 /);
  });
});

test("fallback: a request off the path gets its answer, with its body; HEAD gets the head only", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({
    path: "/ws",
    fallback: async (request) =>
      new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`),
  }, async ({ port }) => {
    const post = await exchange(
      port,
      "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert.match(post, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(post, /\r\n\r\nPOST \/form hello$/);
    const head = await exchange(port, "HEAD /page HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(head, /content-length: 11\r\nconnection: close\r\n\r\n$/);
    const tooLarge = await exchange(
      port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n",
    );
    assert.match(tooLarge, /^HTTP\/1\.1 413 /);
  });
});

test("a connection that does not send its request within requestTimeout is dropped", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({ requestTimeout: 200 }, async ({ port }) => {
    const lateness = LoopLateness.start();
    const started = performance.now();
    const answer = await exchange(port, "GET / HTTP/1.1\r\n");
    assert.equal(answer, "");
    const elapsed = performance.now() - started;
    const late = lateness.stop();
    assert.ok(
      elapsed >= 150 && elapsed < 3000 + late,
      `dropped after ${Math.round(elapsed)} ms (event loop ${Math.round(late)} ms late)`,
    );
  });
});

test("an upgrade over HTTP/1.0 gets 400 and over HTTP/2.0 505, as on serveNode", {
  skip: !isDeno && "Deno only",
}, async () => {
  let connected = 0;
  await withServer({ onClientConnected: () => void connected++ }, async ({ port }) => {
    const answer = async (version: string) => {
      const { status, body } = await rawAnswer(
        port,
        upgradeRequest().replace("HTTP/1.1", `HTTP/${version}`),
      );
      return `${status} ${body}`;
    };
    assert.equal(await answer("1.0"), "400 a WebSocket upgrade needs HTTP/1.1\n");
    assert.equal(await answer("2.0"), "505 HTTP/1.x only\n");
    assert.match(await answer("1.1"), /^101 /);
    await until(() => connected === 1, "the HTTP/1.1 upgrade connected");
  });
  assert.equal(connected, 1);
});

test("a head with a bare LF line end or a bare CR gets 400 at once, not at requestTimeout", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({ requestTimeout: 5000 }, async ({ port }) => {
    for (
      const [request, reason] of [
        ["GET / HTTP/1.1\nHost: x\n\n", "a line ending in bare LF"],
        [
          upgradeHead("Sec-WebSocket-Version: 13\r\n").replaceAll("\r\n", "\n"),
          "a line ending in bare LF",
        ],
        ["GET / HTTP/1.1\r\nHost: x\r\n\n", "a line ending in bare LF"],
        // A bare CR inside a line, as `node:http` answers it.
        ["GET / HTTP/1.1\r\nA: b\rX: y\r\n\r\n", "a CR not followed by LF"],
        [upgradeHead("Sec-WebSocket-Version: 13\rX: y\r\n"), "a CR not followed by LF"],
      ]
    ) {
      const started = performance.now();
      const answer = await exchange(port, request);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 400 [^]*${reason}\n$`), JSON.stringify(request));
      assert.ok(performance.now() - started < 4000, "answered before requestTimeout");
    }
    // A CRLF split between two TCP reads is no bare CR.
    const split = await RawHttpPeer.connect(port);
    split.write("GET / HTTP/1.1\r\nHost: x\r");
    await sleep(100);
    split.write("\n\r\n");
    await until(() => split.closed, "the answer and the end of the connection", 3000);
    assert.match(split.text, /^HTTP\/1\.1 426 /);
  });
});

test("frames written right behind the upgrade request are read", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({}, async ({ port }) => {
    const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    const answer = await exchange(port, oneWrite([head, echoFrame(7), maskedCloseFrame(1000)]));
    assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(answer, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    // accept-conf (type 23), the reply to request 7 with payload "7", the close answered.
    const frames = answer.slice(answer.indexOf("\r\n\r\n") + 4);
    assert.equal(frames.charCodeAt(0), 0x82);
    assert.ok(frames.includes("7"), "the reply");
    assert.equal(frames.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
  });
});

test("a client that keeps sending after a bad frame gets the replies, then the close frame", {
  skip: !isDeno && "Deno only",
}, async () => {
  for (
    const [bad, code, reason] of [
      [
        (() => {
          const frame = maskedFrame(new Uint8Array([1]));
          frame[0] |= 0x20;
          return frame;
        })(),
        1002,
        "a frame with reserved bits set",
      ],
      [maskedFrame(new Uint8Array([6, 0, 0])), 1002, /^unknown-type/],
      [maskedFrame(new TextEncoder().encode("hi"), Opcode.Text), 1003, /text frames/],
      [maskedFrame(new Uint8Array(9000)), 1009, /buffer size of 8192 bytes/],
    ] as const
  ) {
    await withServer({
      onRequest: async (request) => {
        await sleep(5);
        return request.payload;
      },
    }, async ({ url }, disconnects) => {
      const client = await TcpClient.connect(url);
      await client.next();
      client.write(oneWrite([...Array.from({ length: 10 }, (_, i) => echoFrame(i + 1)), bad]));
      // It keeps sending, as Deno's own WebSocket cannot stand.
      let sending = true;
      const flood = (async () => {
        for (let i = 0; sending && i < 400; i++) {
          client.write(echoFrame(100 + i));
          await sleep(1);
        }
      })();
      const close = await client.closeFrame();
      sending = false;
      await flood;
      assert.ok(close !== null, `a close frame after ${String(reason)}`);
      assert.deepEqual(repliedIds(close.before), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(close.code, code);
      if (typeof reason === "string") assert.equal(close.reason, reason);
      else assert.match(close.reason, reason);
      client.destroy();
      await until(() => disconnects.length === 1, "disconnect reported");
    });
  }
});

test("ping is answered with its payload; a fragmented request is read whole", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({}, async ({ url }) => {
    const client = await TcpClient.connect(url);
    await client.next();
    client.write(maskedFrame(new Uint8Array([1, 2, 3]), Opcode.Ping));
    const pong = await client.next();
    assert.deepEqual([pong.opcode, [...pong.payload]], [Opcode.Pong, [1, 2, 3]]);
    const request = encodeRequest({ id: requestIdFromNumber(5), name: "echo", payload: "5" });
    const first = maskedFrame(request.subarray(0, 3));
    first[0] &= 0x7f;
    client.write(oneWrite([first, maskedFrame(request.subarray(3), 0)]));
    const reply = await client.next();
    assert.deepEqual(repliedIds([reply]), [5]);
    client.destroy();
  });
});

test("the client's close is answered with its code and reported as the client's", {
  skip: !isDeno && "Deno only",
}, async () => {
  await withServer({}, async ({ url }, disconnects) => {
    const client = await TcpClient.connect(url);
    await client.next();
    client.write(maskedCloseFrame(4001, "done"));
    const close = await client.closeFrame();
    assert.deepEqual([close?.code, close?.reason], [4001, ""]);
    const end = await client.ended;
    assert.equal(end.reset, false, "an orderly end of the TCP connection");
    await until(() => disconnects.length === 1, "disconnect reported");
    assert.deepEqual(disconnects[0], { kind: "client-closed", code: 4001, message: "done" });
  });
});

test("with tls, it serves wss:// (testing/tls: a test CA and its certificate for localhost)", {
  skip: !isDeno && "Deno only",
}, async () => {
  const read = (name: string) =>
    Deno.readTextFileSync(new URL(`../testing/tls/${name}`, import.meta.url));
  const cert = read("localhost_cert.pem");
  const ca = read("ca_cert.pem");
  await withServer({ tls: { cert, key: read("localhost_key.pem") } }, async ({ port, url }) => {
    assert.equal(url, `wss://127.0.0.1:${port}/`);
    const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts: [ca] });
    const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    await conn.write(oneWrite([head, echoFrame(9), maskedCloseFrame(1000)]));
    const answer = await readToEnd(conn);
    assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.ok(answer.includes("9"), "the reply to request 9");
    assert.equal(answer.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
  });
});

test("a client flooding pings while it reads nothing gets one pong, for the last", {
  skip: !isDeno && "Deno only",
}, async () => {
  const onRequest = () => new Uint8Array(pingFloodReplySize);
  await withServer({ onRequest, maxSendBuffer: 2 * pingFloodReplySize }, async ({ url }) => {
    const { pongs, lastPing } = await pongsAfterPingFlood(url, 2000);
    assert.equal(pongs.length, 1, "one pong for 2000 pings (each once held its own)");
    assert.deepEqual(pongs[0], lastPing);
  });
});
