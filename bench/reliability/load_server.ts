/**
 * The server process of the reliability load benchmark (bench/reliability/load_measure.mjs):
 * the conformance service (`echo`, `login`, ...) on the runtime's adapter (`Bun.serve` under
 * Bun, `Deno.serve` under Deno, `ws` on `node:http` under Node, bundled with esbuild first),
 * with a `FileSessionManager` when given `--session-dir`.
 *
 * It prints, one line each on stdout:
 * - `READY <url> <pid>` once it listens;
 * - `SHUTDOWN <json>` when SIGTERM arrives, before it calls `shutdown()`: `at` (its clock, ms
 *   since the epoch) and `attempts`, the times of the WebSocket upgrades it has seen since it
 *   listens (ms after `listening`, its clock then), which the reconnect storm histograms;
 * - `CLOSED <ms since the epoch>` once the shutdown is over, then it exits with 0.
 *
 * Usage: bun bench/reliability/load_server.ts [--port N] [--session-dir DIR] [--lifetime S]
 *        deno run -A bench/reliability/load_server.ts ...
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { conformanceService } from "../../conformance/service.ts";
import { silentLogger } from "../../protocol/logger.ts";
import { Server } from "../../server.ts";
import { FileSessionManager, MemorySessionManager } from "../../session/mod.ts";
import { serveOnRuntime } from "../e2e/serve_on_runtime.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    port: { type: "string", default: "0" },
    "session-dir": { type: "string" },
    lifetime: { type: "string", default: "600" },
    // Read by serveOnRuntime: Deno's TCP adapter instead of Deno.serve.
    tcp: { type: "boolean", default: false },
  },
});

const now = () => performance.timeOrigin + performance.now();
const sessionDir = values["session-dir"];
let listening = now();
const attempts: number[] = [];

const server = new Server({
  ...conformanceService(),
  sessionManager: sessionDir === undefined
    ? new MemorySessionManager()
    : new FileSessionManager({ directory: sessionDir }),
  // The clients are many and the machine is shared: a handler that fails is what we measure,
  // not what we log.
  logger: silentLogger,
  beforeUpgrade: () => {
    attempts.push(Math.round((now() - listening) * 10) / 10);
  },
});

const port = Number(values.port);
const running = await serveOnRuntime(server, port);
const close = running.close;
listening = now();
console.log(`READY ${running.url} ${process.pid}`);

// No server outlives a broken run.
const lifetime = setTimeout(() => process.exit(3), Number(values.lifetime) * 1000);

process.once("SIGTERM", async () => {
  console.log(`SHUTDOWN ${JSON.stringify({ at: now(), listening, attempts })}`);
  await close();
  console.log(`CLOSED ${now()}`);
  clearTimeout(lifetime);
  process.exit(0);
});
