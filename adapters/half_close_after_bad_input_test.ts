// A client that sends a request, then bad input, then ends its side (FIN) at once, on the two
// adapters that read their sockets themselves (the Node adapter, serveDenoTcp): the reply of the
// request still running arrives, then the close frame, whichever layer found the bad input (the
// framing: reserved bits; the core: a text frame, a message WebWire cannot read). Deno and Bun
// run the Node adapter (their `node:http`); serveDenoTcp runs on Deno only. The same when the
// client's close frame follows the bad input in the same write: nothing after it is read. And
// the same when the request and bad input come in the upgrade request's own write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { Server } from "../server/server.ts";
import { withDenoTcpServer } from "../testing/deno_tcp_server.ts";
import { echoFrame, repliedIds, upgradeHead } from "../testing/raw_exchange.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { TcpClient } from "../testing/tcp_client.ts";
import { until } from "../testing/until.ts";
import {
  closePayload,
  FrameReader,
  maskedCloseFrame,
  maskedFrame,
  oneWrite,
  Opcode,
} from "../testing/ws_frame.ts";
import type { RunningServer } from "./deno.ts";
import { serveDenoTcp } from "./deno_tcp.ts";
import { serveNode } from "./node.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const reservedBit = maskedFrame(new Uint8Array([1]));
reservedBit[0] |= 0x20;
const badInputs = [
  ["a frame with reserved bits", reservedBit, 1002],
  ["a text frame", maskedFrame(new TextEncoder().encode("hi"), Opcode.Text), 1003],
  ["a message of an unknown type", maskedFrame(new Uint8Array([250, 1, 2])), 1002],
] as const;

/** The request's handler still runs when the client's FIN arrives. */
const slowEcho = async (request: { payload: unknown }) => {
  await sleep(100);
  return request.payload as string;
};

const endings = ["FIN", "close frame"] as const;

async function endsAfter(url: string, bad: Uint8Array, ending: typeof endings[number]) {
  const client = await TcpClient.connect(url, { halfOpen: true });
  await client.next(); // accept-conf
  if (ending === "FIN") {
    client.write(oneWrite([echoFrame(1), bad]));
    client.finish();
  } else client.write(oneWrite([echoFrame(1), bad, maskedCloseFrame(1000, "bye")]));
  const close = await client.closeFrame();
  client.destroy();
  return close;
}

test("Node adapter: a client that half-closes right after bad input gets the reply, then the close", async () => {
  for (const [kind, bad, code] of badInputs) {
    for (const ending of endings) {
      const what = `${kind}, then a ${ending}`;
      const server = new Server({ logger: silentLogger, onRequest: slowEcho });
      const running = await serveNode(server, { port: 0, hostname: "127.0.0.1" });
      try {
        const close = await endsAfter(running.url, bad, ending);
        assert.ok(close !== null, `${what}: a close frame, not a dropped connection`);
        assert.deepEqual(repliedIds(close.before), [1], what);
        assert.equal(close.code, code, what);
      } finally {
        await running.close();
      }
    }
  }
});

test(
  "serveDenoTcp: a client that half-closes right after bad input gets the reply, then the close",
  {
    skip: !isDeno && "Deno only",
  },
  async () => {
    for (const [kind, bad, code] of badInputs) {
      for (const ending of endings) {
        const what = `${kind}, then a ${ending}`;
        await withDenoTcpServer({ onRequest: slowEcho }, async (running: RunningServer) => {
          const close = await endsAfter(running.url, bad, ending);
          assert.ok(close !== null, `${what}: a close frame, not a dropped connection`);
          assert.deepEqual(repliedIds(close.before), [1], what);
          assert.equal(close.code, code, what);
        });
      }
    }
  },
);

/** The upgrade request, a request and the bad input in one write, then a FIN: no 101 waited for. */
async function pipelinedThenEnds(port: number, bad: Uint8Array) {
  const peer = await RawHttpPeer.connect(port);
  const head = new TextEncoder().encode(upgradeHead("Sec-WebSocket-Version: 13\r\n"));
  peer.write(oneWrite([head, echoFrame(1), bad]));
  peer.end();
  await until(() => peer.closed, "the connection closed");
  const text = peer.text;
  const frames = new FrameReader().push(
    Uint8Array.from(text.slice(text.indexOf("\r\n\r\n") + 4), (c) => c.charCodeAt(0)),
  );
  const close = frames.find((frame) => frame.opcode === Opcode.Close);
  return { status: text.slice(0, 12), replied: repliedIds(frames), close };
}

type Serve = (server: Server) => Promise<RunningServer>;
const adapters: [string, Serve][] = [
  ["Node adapter", (server) => serveNode(server, { port: 0, hostname: "127.0.0.1" })],
];
if (isDeno) adapters.push(["serveDenoTcp", (server) => serveDenoTcp(server)]);

for (const [name, serve] of adapters) {
  test(`${name}: bad input with the upgrade request, then a FIN: reply, close`, async () => {
    for (const [kind, bad, code] of badInputs) {
      const running = await serve(new Server({ logger: silentLogger, onRequest: slowEcho }));
      try {
        const { status, replied, close } = await pipelinedThenEnds(running.port, bad);
        assert.equal(status, "HTTP/1.1 101", kind);
        assert.deepEqual(replied, [1], `${kind}: the reply`);
        assert.ok(close !== undefined, `${kind}: a close frame, not a dropped connection`);
        assert.equal(closePayload(close.payload).code, code, kind);
      } finally {
        await running.close();
      }
    }
  });
}
