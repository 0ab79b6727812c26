// Tests of `path` and `fallback` on serveDeno, serveBun and serveNode over real sockets: the
// runtime's own adapter (Deno's under Deno, Bun's under Bun) and the Node adapter, which runs
// everywhere (under Node after scripts/extra_suites.mjs has bundled this file).
import { test } from "node:test";
import assert from "node:assert/strict";
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocket } from "ws";
import { encodeRequest, requestIdFromNumber, requestIdKey } from "../protocol/mod.ts";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { listeningAdapters } from "../testing/listening_adapters.ts";
import { RawClient, type RawClientOptions } from "../testing/raw_client.ts";
import { routeFor } from "./route.ts";

const viaWs: RawClientOptions = { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket };

const adapters = listeningAdapters;

function newServer(): Server {
  return new Server({
    sessionManager: new MemorySessionManager(),
    onRequest: (request) => `echo:${request.payload.text()}`,
  });
}

const page = "<!doctype html><h1>chat</h1>";
/** Made in memory too, but larger than what an adapter reads before it streams (64 KiB). */
const largePage = "x".repeat(1 << 20);

/** A body made in memory of `count` chunks of `size` bytes, each filled with its number. */
function chunksInMemory(count: number, size: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < count; i++) controller.enqueue(new Uint8Array(size).fill(i));
      controller.close();
    },
  });
}

/** Fetches a body of `chunksInMemory(count, size)`, checks each chunk's bytes: the headers. */
async function fetchChunks(url: string, count: number, size: number): Promise<Headers> {
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(bytes.length, count * size);
  for (let i = 0; i < count; i++) assert.equal(bytes[i * size + size - 1], i, `chunk ${i}`);
  return response.headers;
}

/** The application's own routes: a page on `/`, an echo of a POST body on `/echo`. */
function app(request: Request): Response {
  const url = new URL(request.url);
  if (request.method === "POST" && url.pathname === "/echo") {
    return new Response(request.body, { headers: { "x-echo": "yes" } });
  }
  if (url.pathname === "/") {
    return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
  }
  if (url.pathname === "/large") return new Response(largePage);
  if (url.pathname === "/two-chunks") return new Response(chunksInMemory(2, 40_000));
  if (url.pathname === "/chunks") return new Response(chunksInMemory(16, 65536));
  return new Response("no such page\n", { status: 404 });
}

/** Attempts an upgrade and returns the HTTP status of the refusal. */
function refusedUpgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("open", () => reject(new Error("the upgrade was accepted")));
    socket.on("error", () => {});
  });
}

for (const { name, serve } of adapters) {
  test(`${name}: WebWire on /ws, the page and a streamed POST from the fallback`, async () => {
    const running = await serve(newServer(), { path: "/ws", fallback: app });
    const origin = `http://127.0.0.1:${running.port}`;
    try {
      assert.equal(running.url, `ws://127.0.0.1:${running.port}/ws`);
      const client = await RawClient.handshake(running.url, viaWs);
      client.send(encodeRequest({ id: requestIdFromNumber(1), name: "say", payload: "hi" }));
      const reply = await client.next();
      assert.ok(reply.kind === "reply");
      assert.equal(requestIdKey(reply.id), 1);
      assert.equal(new TextDecoder().decode(reply.payload), "echo:hi");
      client.close();
      await client.closed;

      const home = await fetch(`${origin}/`);
      assert.equal(home.status, 200);
      assert.equal(home.headers.get("content-type"), "text/html; charset=utf-8");
      // A page made in memory goes with its length, as the runtime sends it, not chunked.
      assert.equal(
        home.headers.get("content-length"),
        String(new TextEncoder().encode(page).length),
      );
      assert.equal(await home.text(), page);
      const head = await fetch(`${origin}/`, { method: "HEAD" });
      assert.equal(head.headers.get("content-length"), home.headers.get("content-length"));
      // However large: it is all there at once, so it goes with its length too.
      const large = await fetch(`${origin}/large`);
      assert.equal(large.headers.get("content-length"), String(largePage.length));
      assert.equal(large.headers.get("transfer-encoding"), null);
      assert.equal(await large.text(), largePage);
      // Two chunks over 64 KiB, then its end: whole, with its length (Bun streams a stream body
      // as it is); sixteen chunks of 64 KiB look like a file being read: streamed.
      const two = await fetchChunks(`${origin}/two-chunks`, 2, 40_000);
      if (name !== "bun") assert.equal(two.get("content-length"), "80000");
      const sixteen = await fetchChunks(`${origin}/chunks`, 16, 65536);
      assert.equal(sixteen.get("content-length"), null);

      const body = "x".repeat(200_000);
      const echoed = await fetch(`${origin}/echo`, { method: "POST", body });
      assert.equal(echoed.headers.get("x-echo"), "yes");
      assert.equal(await echoed.text(), body);

      const missing = await fetch(`${origin}/nope`);
      assert.equal(missing.status, 404);
      await missing.body?.cancel();

      // The endpoint without an upgrade still gets the core's answer, the query ignored.
      const plain = await fetch(`${origin}/ws?token=1`);
      assert.equal(plain.status, 426);
      await plain.body?.cancel();
      // An upgrade off the endpoint gets the fallback's answer.
      assert.equal(await refusedUpgrade(`ws://127.0.0.1:${running.port}/nope`), 404);
    } finally {
      await running.close();
    }
  });

  test(`${name}: with a path and no fallback, every other path gets 404`, async () => {
    const running = await serve(newServer(), { path: "/ws" });
    const origin = `http://127.0.0.1:${running.port}`;
    try {
      for (const path of ["/", "/other", "/ws/", "/wss"]) {
        const response = await fetch(`${origin}${path}`);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
      assert.equal(await refusedUpgrade(`ws://127.0.0.1:${running.port}/`), 404);
      const plain = await fetch(`${origin}/ws`);
      assert.equal(plain.status, 426);
      await plain.body?.cancel();
      const client = await RawClient.handshake(running.url, viaWs);
      client.close();
      await client.closed;
    } finally {
      await running.close();
    }
  });

  test(`${name}: without a path, WebWire answers every path as before`, async () => {
    const running = await serve(newServer(), {});
    try {
      assert.equal(running.url, `ws://127.0.0.1:${running.port}/`);
      const client = await RawClient.handshake(`ws://127.0.0.1:${running.port}/any/path`, viaWs);
      client.close();
      await client.closed;
      const plain = await fetch(`http://127.0.0.1:${running.port}/page`);
      assert.equal(plain.status, 426);
      await plain.body?.cancel();
    } finally {
      await running.close();
    }
  });
}

test("routeFor: a path must start with / and a fallback needs a path", () => {
  assert.throws(() => routeFor({ path: "ws" }), /must start with "\/"; got "ws"/);
  assert.throws(() => routeFor({ fallback: app }), /a fallback needs a path/);
  const route = routeFor({ path: "/ws" });
  assert.ok(route.isEndpoint("/ws?x=1") && route.isEndpoint("http://h/ws#f"));
  assert.ok(!route.isEndpoint("/ws/") && !route.isEndpoint("http://h/"));
});
