// The Node adapter's own WebSocket framing (node_framed_socket.ts) over real TCP and TLS
// connections: its handshake answers, frames behind the upgrade request, pings, fragments, close
// frames to a client that keeps sending, the client's close, and wss:// on `node:https` with
// the close deadline. Runs under Deno and Bun (their `node:http`), and under Node after
// scripts/extra_suites.mjs has bundled it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { connect as connectTls } from "node:tls";
import type { AddressInfo } from "node:net";
import { encodeRequest, requestIdFromNumber } from "../protocol/mod.ts";
import { decodeMessage } from "../protocol/decode.ts";
import { silentLogger } from "../protocol/logger.ts";
import { LoopLateness } from "../conformance/loop_lateness.ts";
import { Server } from "../server/server.ts";
import type { ServerOptions } from "../server/options.ts";
import type { DisconnectReason } from "../server/disconnect_reason.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import {
  collect,
  echoFrame,
  exchange,
  refusedUpgrades,
  repliedIds,
  upgradeHead,
} from "../testing/raw_exchange.ts";
import { pingFloodReplySize, pongsAfterPingFlood } from "../testing/ping_flood.ts";
import { rawAnswer, upgradeRequest } from "../testing/raw_answer.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { tcpState, tcpStateSupported } from "../testing/tcp_state.ts";
import { until } from "../testing/until.ts";
import {
  FrameReader,
  maskedCloseFrame,
  maskedFrame,
  oneWrite,
  Opcode,
  type ServerFrame,
} from "../testing/ws_frame.ts";
import { nodeHandlers, type NodeListenOptions, type RunningServer, serveNode } from "./node.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recording(options: ServerOptions): { server: Server; disconnects: DisconnectReason[] } {
  const disconnects: DisconnectReason[] = [];
  const server = new Server({
    sessionManager: new MemorySessionManager(),
    logger: silentLogger,
    onRequest: (request) => request.payload,
    onClientDisconnected: (_connection, reason) => void disconnects.push(reason),
    ...options,
  });
  return { server, disconnects };
}

async function withServer(
  options: ServerOptions & Pick<NodeListenOptions, "requestTimeout">,
  run: (running: RunningServer, disconnects: DisconnectReason[]) => Promise<void>,
): Promise<void> {
  const { server, disconnects } = recording(options);
  const { requestTimeout } = options;
  const running = await serveNode(server, { port: 0, hostname: "127.0.0.1", requestTimeout });
  try {
    await run(running, disconnects);
  } finally {
    await running.close();
  }
}

test("node framing: 405 for a POST upgrade, 426 for version 8, 400 for a bad key", async () => {
  await withServer({}, async ({ port }) => {
    const post = await exchange(
      port,
      upgradeHead("Sec-WebSocket-Version: 13\r\n").replace("GET", "POST"),
    );
    assert.match(post, /^HTTP\/1\.1 405 /);
    const version = await exchange(port, upgradeHead("Sec-WebSocket-Version: 8\r\n"));
    assert.match(version, /^HTTP\/1\.1 426 /);
    assert.match(version, /\r\nsec-websocket-version: 13\r\n/);
    const badKey = upgradeHead("Sec-WebSocket-Version: 13\r\n").replace(
      "dGhlIHNhbXBsZSBub25jZQ==",
      "short",
    );
    assert.match(await exchange(port, badKey), /^HTTP\/1\.1 400 /);
    for (const refused of refusedUpgrades) {
      assert.match(await exchange(port, refused), /^HTTP\/1\.1 400 /, JSON.stringify(refused));
    }
    // Another protocol's upgrade with the WebSocket headers: the core's 426.
    const h2c = upgradeHead("Sec-WebSocket-Version: 13\r\n").replace("websocket", "h2c");
    assert.match(await exchange(port, h2c), /^HTTP\/1\.1 426 /);
  });
});

test("node framing: upgrades over HTTP/1.0 get 400, over HTTP/2.0 505", async () => {
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
    // Bun's `node:http` refuses an `HTTP/2.0` request line itself, before any listener.
    const http20 = await answer("2.0");
    if ("Bun" in globalThis) assert.doesNotMatch(http20, /^101 /);
    else assert.equal(http20, "505 HTTP/1.x only\n");
    assert.match(await answer("1.1"), /^101 /);
    await until(() => connected === 1, "the HTTP/1.1 upgrade connected");
  });
  assert.equal(connected, 1);
});

test("node framing: a connection without a request head in requestTimeout is dropped", async () => {
  await withServer({ requestTimeout: 200 }, async ({ port, url }) => {
    const lateness = LoopLateness.start();
    const started = performance.now();
    const silent = await RawHttpPeer.connect(port);
    const halfHead = await RawHttpPeer.connect(port);
    halfHead.write("GET / HTTP/1.1\r\n");
    await until(() => silent.closed && halfHead.closed, "both dropped", 5000);
    const elapsed = performance.now() - started;
    const late = lateness.stop();
    // Bun's `node:http` reports a silent connection about 1 s late: the limit runs from then.
    assert.ok(
      elapsed >= 150 && elapsed < 3000 + late,
      `dropped after ${Math.round(elapsed)} ms (event loop ${Math.round(late)} ms late)`,
    );
    assert.equal(silent.text + halfHead.text, "", "no answer");
    // An upgraded connection, and a keep-alive one after its first answer, outlive the limit.
    const client = await TcpClient.connect(url);
    await client.next(); // accept-conf
    const keptAlive = await RawHttpPeer.connect(port);
    keptAlive.write("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => keptAlive.statuses.length === 1, "the answer to OPTIONS");
    await sleep(400);
    client.write(echoFrame(3));
    assert.deepEqual(repliedIds([await client.next()]), [3]);
    assert.equal(keptAlive.closed, false, "the keep-alive connection is still open");
    keptAlive.write("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => keptAlive.statuses.length === 2, "the second answer on it");
    client.destroy();
    keptAlive.destroy();
  });
});

test("node framing: a client's FIN during beforeUpgrade drops it at once", {
  skip: !tcpStateSupported() && "needs the kernel's TCP tables (/proc/net/tcp)",
}, async () => {
  let connected = 0;
  let asked: () => void = () => {};
  const decided = new Promise<void>((resolve) => asked = resolve);
  let finReached: Promise<void> = Promise.resolve();
  const options: ServerOptions = {
    readTimeout: 30_000,
    beforeUpgrade: async () => {
      asked();
      // Decided only once the kernel has the client's FIN, and Node some turns to read it.
      await finReached;
      await sleep(50);
    },
    onClientConnected: () => void connected++,
  };
  await withServer(options, async ({ port }) => {
    const peer = await RawHttpPeer.connect(port);
    finReached = until(() => tcpState(port, peer.localPort) === "close-wait", "the FIN", 3000);
    peer.write(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    await decided;
    peer.end(); // gives up before the answer
    // Not at the read timeout: as soon as beforeUpgrade is done.
    await until(() => peer.closed, "the server closed the connection", 3000);
    assert.equal(peer.text, "", "no 101, no accept-conf");
    assert.equal(connected, 0, "onClientConnected never ran");
  });
});

test("node framing: an upgrade pipelined behind a slow response is answered after it", {
  // Bun's `node:http` hands a pipelined upgrade to the `request` listener: the core's 426.
  skip: "Bun" in globalThis && "Bun's node:http never upgrades a pipelined request",
}, async () => {
  const { server } = recording({});
  const running = await serveNode(server, {
    port: 0,
    path: "/ws",
    fallback: async () => {
      await sleep(300);
      return new Response("the page");
    },
  });
  try {
    const peer = await RawHttpPeer.connect(running.port);
    const upgrade = upgradeHead("Sec-WebSocket-Version: 13\r\n").replace("GET / ", "GET /ws ");
    peer.write(`GET /index HTTP/1.1\r\nHost: x\r\n\r\n${upgrade}`);
    await until(() => peer.statuses.length === 2, "both answers");
    assert.deepEqual(peer.statuses, [200, 101]);
    const afterPage = () => peer.text.slice(peer.text.indexOf("the page") + "the page".length);
    assert.match(afterPage(), /^HTTP\/1\.1 101 /, "the 101 right after the page");
    // Behind the 101: WebSocket frames only (accept-conf, then the echo's reply).
    peer.write(echoFrame(4));
    const frames = () => {
      const rest = afterPage().slice(afterPage().indexOf("\r\n\r\n") + 4);
      return new FrameReader().push(Uint8Array.from(rest, (char) => char.charCodeAt(0)));
    };
    await until(() => frames().length === 2, "the reply to request 4");
    assert.deepEqual(frames().map((frame) => frame.opcode), [Opcode.Binary, Opcode.Binary]);
    assert.deepEqual(repliedIds(frames()), [4]);
    peer.destroy();
  } finally {
    await running.close();
  }
});

test("node framing: frames written right behind the upgrade request are read", async () => {
  await withServer({}, async ({ port }) => {
    const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    const answer = await exchange(port, oneWrite([head, echoFrame(7), maskedCloseFrame(1000)]));
    assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(answer, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    const frames = answer.slice(answer.indexOf("\r\n\r\n") + 4);
    assert.equal(frames.charCodeAt(0), 0x82, "accept-conf, a binary frame");
    assert.ok(frames.includes("7"), "the reply");
    assert.equal(frames.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
  });
});

test("node framing: a client that keeps sending after a bad frame gets the replies, then the close frame", async () => {
  const reservedBit = maskedFrame(new Uint8Array([1]));
  reservedBit[0] |= 0x20;
  const cases = [
    [reservedBit, 1002, "a frame with reserved bits set"],
    [maskedFrame(new Uint8Array([0xff, 0xfe]), Opcode.Text), 1007, "invalid UTF-8 in a text frame"],
    [maskedFrame(new Uint8Array(9000)), 1009, "message over the buffer size of 8192 bytes"],
  ] as const;
  for (const [bad, code, reason] of cases) {
    await withServer({
      onRequest: async (request) => {
        await sleep(5);
        return request.payload;
      },
    }, async ({ url }, disconnects) => {
      const client = await TcpClient.connect(url);
      await client.next();
      client.write(oneWrite([...Array.from({ length: 10 }, (_, i) => echoFrame(i + 1)), bad]));
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
      assert.ok(close !== null, `a close frame after ${reason}`);
      assert.deepEqual(repliedIds(close.before), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual([close.code, close.reason], [code, reason]);
      client.destroy();
      await until(() => disconnects.length === 1, "disconnect reported");
    });
  }
});

test("node framing: ping is answered with its payload; a fragmented request is read whole", async () => {
  await withServer({}, async ({ url }) => {
    const client = await TcpClient.connect(url);
    await client.next();
    client.write(maskedFrame(new Uint8Array([1, 2, 3]), Opcode.Ping));
    const pong = await client.next();
    assert.deepEqual([pong.opcode, [...pong.payload]], [Opcode.Pong, [1, 2, 3]]);
    const request = encodeRequest({ id: requestIdFromNumber(5), name: "echo", payload: "5" });
    const first = maskedFrame(request.subarray(0, 3));
    first[0] &= 0x7f;
    const rest = maskedFrame(request.subarray(3), 0);
    // The second fragment split over two TCP writes.
    client.write(oneWrite([first, rest.subarray(0, 4)]));
    await sleep(10);
    client.write(rest.subarray(4));
    const reply = await client.next();
    assert.deepEqual(repliedIds([reply]), [5]);
    client.destroy();
  });
});

test("node framing: the client's close is answered with its code and reported as the client's", async () => {
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

test("node framing: replies larger than an output buffer arrive whole and in order", async () => {
  await withServer({ messageBufferSize: 200_000 }, async ({ url }) => {
    const client = await TcpClient.connect(url);
    await client.next();
    const sizes = [10, 20_000, 5, 70_000, 16_000, 1];
    client.write(oneWrite(sizes.map((size, i) => {
      const payload = "x".repeat(size);
      return maskedFrame(encodeRequest({ id: requestIdFromNumber(i + 1), name: "e", payload }));
    })));
    const got: number[] = [];
    for (const _ of sizes) {
      const message = decodeMessage((await client.next()).payload);
      assert.equal(message.kind, "reply");
      if (message.kind === "reply") got.push(message.payload.length);
    }
    assert.deepEqual(got, sizes);
    client.destroy();
  });
});

/** A file of testing/tls: next to this file's folder, or (bundled for Node) from the root. */
function tlsFile(name: string): string {
  const beside = new URL(`../testing/tls/${name}`, import.meta.url);
  return readFileSync(existsSync(beside) ? beside : `testing/tls/${name}`, "utf8");
}

test("node framing: wss:// on node:https, and the close deadline on a TLS socket", async () => {
  const { server, disconnects } = recording({ closeTimeout: 300 });
  const handlers = nodeHandlers(server);
  const https = createHttpsServer({
    cert: tlsFile("localhost_cert.pem"),
    key: tlsFile("localhost_key.pem"),
  }, handlers.request);
  https.on("upgrade", handlers.upgrade);
  await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
  const port = (https.address() as AddressInfo).port;
  const open = () =>
    connectTls({ host: "127.0.0.1", port, servername: "localhost", ca: tlsFile("ca_cert.pem") });
  try {
    const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
    const answer = await collect(open(), oneWrite([head, echoFrame(9), maskedCloseFrame(1000)]));
    assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.ok(answer.includes("9"), "the reply to request 9");
    assert.equal(answer.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
    await until(() => disconnects.length === 1, "the first disconnect reported");

    // A client that reads the server's close frame and never answers it: the connection is
    // dropped at closeTimeout (`terminate` on a TLS socket).
    const silent = open();
    const reader = new FrameReader();
    const frames: ServerFrame[] = [];
    let ended = false;
    silent.on("data", (chunk: Uint8Array) => {
      const text = new TextDecoder("latin1").decode(chunk);
      const at = text.indexOf("\r\n\r\n");
      frames.push(...reader.push(at >= 0 && frames.length === 0 ? chunk.subarray(at + 4) : chunk));
    });
    silent.on("error", () => {});
    silent.on("close", () => ended = true);
    silent.write(head);
    await until(() => frames.length === 1, "accept-conf");
    const shutdown = server.shutdown();
    await until(() => frames.some((frame) => frame.opcode === Opcode.Close), "the close frame");
    await until(() => ended, "the connection dropped at closeTimeout");
    await shutdown;
    assert.equal(disconnects.length, 2);
  } finally {
    await new Promise((resolve) => https.close(resolve));
  }
});

test("node framing: a client flooding pings while it reads nothing gets one pong, for the last", async () => {
  const onRequest = () => new Uint8Array(pingFloodReplySize);
  await withServer({ onRequest, maxSendBuffer: 2 * pingFloodReplySize }, async ({ url }) => {
    const { pongs, lastPing } = await pongsAfterPingFlood(url, 2000);
    assert.equal(pongs.length, 1, "one pong for 2000 pings (each once held its own)");
    assert.deepEqual(pongs[0], lastPing);
  });
});
