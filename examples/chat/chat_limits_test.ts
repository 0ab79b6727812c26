// The chat's bounds that an operator counts on, over real sockets (Deno's adapter under Deno,
// Bun's under Bun; Hono as main.ts mounts it): open connections per client address, and the
// memory of the rooms' recent messages.
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { serveBun } from "../../adapters/bun.ts";
import { serveDeno } from "../../adapters/deno.ts";
import { honoBunWebSocket, honoHandler } from "../../adapters/hono.ts";
import { Client } from "../../client.ts";
import type { Server } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { RawClient } from "../../testing/raw_client.ts";
import { until } from "../../testing/until.ts";
import { TypedClient } from "../../typed/mod.ts";
import { type ChatServerOptions, createChatServer } from "./chat_server.ts";
import { ConnectionLimit, refuseOverLimit } from "./connection_limit.ts";
import { chat } from "./contract.ts";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a chat server on a free port, its sessions in memory. */
async function startChat(options: Partial<ChatServerOptions> = {}) {
  const sessionDirectory = await mkdtemp(join(tmpdir(), "chat-limits-"));
  cleanups.push(() => rm(sessionDirectory, { recursive: true, force: true }));
  const sessionManager = new MemorySessionManager();
  const server = createChatServer({ sessionDirectory, sessionManager, ...options });
  const listen = { port: 0, hostname: "127.0.0.1" };
  const running = "Bun" in globalThis ? serveBun(server, listen) : serveDeno(server, listen);
  cleanups.push(() => running.close());
  return running.url;
}

/** A raw WebWire socket past its accept-conf, closed after the test. */
async function rawSocket(url: string): Promise<RawClient> {
  const socket = await RawClient.handshake(url);
  cleanups.push(() => socket.close());
  return socket;
}

/** How a socket closed within `ms`, or "open". */
function closedWithin(socket: RawClient, ms: number): Promise<number | "open"> {
  const open = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), ms));
  return Promise.race([socket.closed.then((info) => info.code), open]);
}

test("a connection past its address's limit is closed at once; a closed one frees a place", async () => {
  const limit = new ConnectionLimit(3);
  const url = await startChat({ connectionLimit: limit });
  const held = [await rawSocket(url), await rawSocket(url), await rawSocket(url)];
  assert.equal(await closedWithin(await rawSocket(url), 2000), 4029);
  for (const socket of held) assert.equal(await closedWithin(socket, 0), "open");
  held[0].close();
  await until(() => limit.count("127.0.0.1:1") === 2, "the closed connection is let go");
  assert.equal(await closedWithin(await rawSocket(url), 300), "open");
});

test("upgrades from one address at once: as many stay as the limit allows", async () => {
  const limit = new ConnectionLimit(3);
  const url = await startChat({ connectionLimit: limit });
  const sockets = await Promise.all(Array.from({ length: 12 }, () => rawSocket(url)));
  const outcomes = await Promise.all(sockets.map((socket) => closedWithin(socket, 1000)));
  assert.equal(outcomes.filter((outcome) => outcome === "open").length, 3);
  assert.ok(outcomes.every((outcome) => outcome === "open" || outcome === 4029));
  for (const socket of sockets) socket.close();
  // Nothing stays behind for an address that has no connection left.
  await until(() => limit.addresses === 0, "every address is forgotten");
});

test("by default one address holds at most 50 connections", async () => {
  const url = await startChat();
  const sockets = await Promise.all(Array.from({ length: 51 }, () => rawSocket(url)));
  const outcomes = await Promise.all(sockets.map((socket) => closedWithin(socket, 1000)));
  assert.equal(outcomes.filter((outcome) => outcome === "open").length, 50);
});

/** Hono with `refuseOverLimit` before `honoHandler` on `/ws`, as main.ts mounts them. */
async function serveHonoChat(server: Server, limit: ConnectionLimit): Promise<string> {
  const app = new Hono();
  const bun = (globalThis as { Bun?: { serve(options: unknown): BunServer } }).Bun;
  if (bun !== undefined) {
    const { upgradeWebSocket, websocket, getConnInfo } = await import("hono/bun");
    app.get(
      "/ws",
      refuseOverLimit(limit, getConnInfo),
      honoHandler(server, upgradeWebSocket, { getConnInfo }),
    );
    const http = bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: app.fetch,
      websocket: honoBunWebSocket(server, websocket),
    });
    cleanups.push(() => http.stop(true));
    return `127.0.0.1:${http.port}/ws`;
  }
  const { upgradeWebSocket, getConnInfo } = await import("hono/deno");
  app.get(
    "/ws",
    refuseOverLimit(limit, getConnInfo),
    honoHandler(server, upgradeWebSocket, { getConnInfo }),
  );
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  cleanups.push(() => http.shutdown());
  return `127.0.0.1:${http.addr.port}/ws`;
}

interface BunServer {
  port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}

test("behind Hono, an upgrade from an address at its limit gets 429 and no WebSocket", async () => {
  const limit = new ConnectionLimit(2);
  const server = createChatServer({
    sessionDirectory: "unused",
    sessionManager: new MemorySessionManager(),
    connectionLimit: limit,
  });
  cleanups.push(() => server.shutdown());
  const address = await serveHonoChat(server, limit);
  await rawSocket(`ws://${address}`);
  await rawSocket(`ws://${address}`);
  const refused = await fetch(`http://${address}`, {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    },
  });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "10");
  assert.equal(await refused.text(), "too many connections from your address\n");
  assert.equal(server.connectionCount, 2);
});

test("past its byte budget, the rooms spoken in least recently lose their history", async () => {
  // 2 * (5 + 400) + 256 = 1066 estimated bytes a message: three do not fit in 3000.
  const url = await startChat({
    recentMessages: { bytes: 3000 },
    rateLimit: { burst: 100, perSecond: 1 },
  });
  const client = new Client(url, { autoconnect: false });
  cleanups.push(() => client.close());
  await client.connect();
  const alice = new TypedClient(client, chat);
  await alice.request("login", "alice");
  for (const room of ["first", "second", "third"]) {
    await alice.request("join", room);
    await alice.request("say", `${room} `.padEnd(400, "x"));
  }
  const kept = [];
  for (const room of ["first", "second", "third"]) {
    kept.push((await alice.request("join", room)).recent.length);
  }
  assert.deepEqual(kept, [0, 1, 1]);
});
