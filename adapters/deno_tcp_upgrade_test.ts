// serveDenoTcp's upgrade requests while an async beforeUpgrade runs, over real TCP connections:
// a client that leaves meanwhile is never connected, frames sent meanwhile are read, the time
// limit is not the hook's, and the request the hook sees (its URL, a bad Host's 400). Deno only.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerOptions } from "../server/options.ts";
import { echoFrame, exchange, upgradeHead } from "../testing/raw_exchange.ts";
import { RawHttpPeer } from "../testing/raw_http_peer.ts";
import { until } from "../testing/until.ts";
import { maskedCloseFrame, oneWrite } from "../testing/ws_frame.ts";
import type { RunningServer } from "./deno.ts";
import type { DenoTcpListenOptions } from "./deno_tcp.ts";
import { withDenoTcpServer } from "../testing/deno_tcp_server.ts";

const isDeno = "Deno" in globalThis && !("Bun" in globalThis);
const skip = !isDeno && "Deno only";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const upgrade = (extra = "") =>
  upgradeHead(`Sec-WebSocket-Version: 13\r\n${extra}`).replace("GET / ", "GET /ws ");

/** A server with its WebSocket endpoint on `/ws` (the fallback answers every other path). */
const withServer = (
  options: ServerOptions & DenoTcpListenOptions,
  run: (running: RunningServer) => Promise<void>,
) => withDenoTcpServer({ path: "/ws", ...options }, run);

test("a client that ends its side or leaves during beforeUpgrade is never connected", {
  skip,
}, async () => {
  let decided = 0;
  let connected = 0;
  const beforeUpgrade = async () => {
    await sleep(150);
    decided++;
    return undefined;
  };
  await withServer(
    { beforeUpgrade, onClientConnected: () => void connected++ },
    async ({ port }) => {
      const halfClosed = await RawHttpPeer.connect(port);
      halfClosed.write(upgrade());
      halfClosed.end(); // a FIN: it gave up
      const gone = await RawHttpPeer.connect(port);
      gone.write(upgrade());
      await sleep(20);
      gone.destroy();
      await until(() => decided === 2, "both decided");
      await until(() => halfClosed.closed, "the half-closed client's connection closed");
      await sleep(50);
      assert.equal(connected, 0);
      assert.equal(halfClosed.text, "", "no 101");
    },
  );
});

test("frames sent behind the upgrade request while beforeUpgrade runs are read", {
  skip,
}, async () => {
  const beforeUpgrade = async () => void await sleep(100);
  await withServer({ beforeUpgrade }, async ({ port }) => {
    const peer = await RawHttpPeer.connect(port);
    peer.write(upgrade());
    await sleep(20);
    peer.write(echoFrame(7)); // read by the server while the hook runs
    await sleep(20);
    peer.write(oneWrite([echoFrame(8), maskedCloseFrame(1000)]));
    await until(() => peer.closed, "the close answered");
    assert.match(peer.text, /^HTTP\/1\.1 101 /);
    const frames = peer.text.slice(peer.text.indexOf("\r\n\r\n") + 4);
    assert.ok(frames.indexOf("7") !== -1 && frames.indexOf("7") < frames.indexOf("8"), frames);
    assert.equal(frames.slice(-4), "\x88\x02\x03\xe8", "the close frame echoes 1000");
  });
});

test("a beforeUpgrade slower than requestTimeout still upgrades", { skip }, async () => {
  let connected = 0;
  const beforeUpgrade = async () => void await sleep(400);
  await withServer({
    beforeUpgrade,
    requestTimeout: 200,
    onClientConnected: () => void connected++,
  }, async ({ port }) => {
    const peer = await RawHttpPeer.connect(port);
    peer.write(upgrade());
    await until(() => peer.text.includes("\r\n\r\n"), "the answer");
    assert.match(peer.text, /^HTTP\/1\.1 101 /);
    await until(() => connected === 1, "connected");
    peer.destroy();
  });
});

test("beforeUpgrade's request: a // target stays a path; a bad Host gets 400", {
  skip,
}, async () => {
  const urls: string[] = [];
  const beforeUpgrade = (request: Request) => {
    urls.push(request.url);
    return new Response("no", { status: 403 });
  };
  // On every path, so that `//other.example/ws` is the endpoint.
  await withServer({ beforeUpgrade, path: undefined }, async ({ port }) => {
    const slashes = upgrade().replace("GET /ws ", "GET //other.example/ws ");
    await exchange(port, slashes.replace("Host: x", "Host: app.local"));
    const badHost = await exchange(port, upgrade().replace("Host: x", "Host: a b"));
    assert.match(badHost, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
  assert.deepEqual(urls, ["http://app.local//other.example/ws"]);
});
