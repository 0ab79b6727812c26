// What an idle connection keeps alive: the server's JavaScript heap after garbage collection,
// before and with N idle connections (opened by a Node child process, so that the clients'
// objects are not counted), divided by N. Ours on an adapter, or the runtime's plain WebSocket
// echo ("raw") as the floor. Prints one JSON line.
//
// Usage: bun bench/reliability/retained_memory.ts <runtime|hono|node|raw> [connections]
//        deno run -A --v8-flags=--expose-gc bench/reliability/retained_memory.ts ...
//        node --expose-gc <this file bundled with esbuild> <node|raw> [connections]
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
// `ws` ships no types; Deno takes them from @types/ws.
// @ts-types="npm:@types/ws@^8.18.1"
import { WebSocketServer } from "ws";
import { silentLogger } from "../../protocol/logger.ts";
import { startServer } from "../../testing/serve.ts";

interface Runtimes {
  Bun?: {
    gc(force: boolean): void;
    serve(options: unknown): { port: number; stop(closeActive: boolean): void };
  };
  Deno?: unknown;
  gc?: () => void;
}

const runtimes = globalThis as unknown as Runtimes;
const runtime = runtimes.Bun ? "bun" : runtimes.Deno ? "deno" : "node";
const target = process.argv[2] ?? "runtime";
const count = Number(process.argv[3] ?? 2000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    if (runtimes.Bun) runtimes.Bun.gc(true);
    else if (runtimes.gc) runtimes.gc();
    else throw new Error("run with --expose-gc (Node) or --v8-flags=--expose-gc (Deno)");
    await sleep(50);
  }
  return process.memoryUsage().heapUsed;
}

/** The runtime's WebSocket server with nothing on top: accept-conf on open, echo. */
async function rawEcho(): Promise<{ url: string; close(): void }> {
  const hello = new Uint8Array([23, 2, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]);
  if (runtimes.Bun) {
    const http = runtimes.Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request: Request, server: { upgrade(r: Request): boolean }) =>
        server.upgrade(request) ? undefined : new Response("no", { status: 426 }),
      websocket: {
        idleTimeout: 0,
        open: (ws: { sendBinary(b: Uint8Array): void }) => ws.sendBinary(hello),
        message: (ws: { sendBinary(b: Uint8Array): void }, m: Uint8Array) => ws.sendBinary(m),
      },
    });
    return { url: `ws://127.0.0.1:${http.port}/`, close: () => http.stop(true) };
  }
  if (runtimes.Deno) {
    const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      socket.onopen = () => socket.send(hello);
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    });
    return { url: `ws://127.0.0.1:${http.addr.port}/`, close: () => void http.shutdown() };
  }
  const http = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
  });
  http.on("upgrade", (request, socket, head) =>
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.send(hello);
      ws.on("message", (data) => ws.send(data as Uint8Array));
    }));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: () => {
      http.closeAllConnections();
      http.close();
    },
  };
}

/** A Node process holding `n` idle upgraded connections until its stdin ends. */
async function idleClients(url: string, n: number) {
  const { port, pathname } = new URL(url);
  const code = `
    const { connect } = require("node:net");
    const head = "GET ${pathname} HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\n" +
      "Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n" +
      "Sec-WebSocket-Version: 13\\r\\n\\r\\n";
    const one = () => new Promise((resolve) => {
      const socket = connect(${port}, "127.0.0.1", () => socket.write(head));
      socket.once("data", () => resolve(socket));
      socket.on("error", () => {});
    });
    (async () => {
      for (let i = 0; i < ${n}; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, ${n} - i) }, one));
      }
      console.log("OPEN");
      process.stdin.resume();
      process.stdin.on("end", () => process.exit(0));
    })();`;
  const child = spawn("node", ["-e", code], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  return {
    close: async () => {
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

const server = target === "raw" ? await rawEcho() : await (async () => {
  const running = await startServer({
    adapter: target as "runtime" | "hono" | "node",
    logger: silentLogger,
    onRequest: (request) => request.payload,
  });
  return { url: running.url, close: () => void running.close() };
})();
// Warm up, so that code loaded on the first connection is not counted.
await (await idleClients(server.url, 100)).close();
await sleep(500);
const before = await heapAfterGc();
const clients = await idleClients(server.url, count);
await sleep(1000);
const open = await heapAfterGc();
console.log(JSON.stringify({
  runtime,
  server: target,
  connections: count,
  retainedBytesPerConnection: Math.round((open - before) / count),
}));
await clients.close();
server.close();
process.exit(0);
