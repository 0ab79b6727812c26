/**
 * The client benchmark in one runtime (Deno, Bun, or Node, bundled by `measure.mjs` with `ws`
 * as its WebSocket): `load_client.ts --url <ws://...> [--inflight 1,64] [--payload 16]
 * [--seconds 4] [--warmup 1]` measures with `round_trips.ts` and prints one JSON
 * line `{ runtime, points }`.
 *
 * @module
 */

import process from "node:process";
import type { WebSocketConstructor } from "../../client/websocket_like.ts";
import { measureRoundTrips } from "./round_trips.ts";

function option(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? fallback : process.argv[i + 1];
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

const runtime = globalThis as { Bun?: unknown; Deno?: unknown; WebSocket?: unknown };
let WebSocket = runtime.WebSocket as WebSocketConstructor | undefined;
let name = runtime.Bun !== undefined ? "bun" : runtime.Deno !== undefined ? "deno" : "node";
if (name === "node") {
  // Node 20 has no global WebSocket: ws is what Node applications use.
  WebSocket = (await import("ws")).WebSocket as unknown as WebSocketConstructor;
  name = "node";
}
if (WebSocket === undefined) throw new Error("no WebSocket in this runtime");

const points = await measureRoundTrips({
  WebSocket,
  url: option("url"),
  inflights: option("inflight", "1,64").split(",").map(Number),
  payload: Number(option("payload", "16")),
  seconds: Number(option("seconds", "4")),
  warmup: Number(option("warmup", "1")),
});
console.log(JSON.stringify({ runtime: name, points }));
process.exit(0);
