/**
 * Our server for the end-to-end benchmark: the conformance service (whose `echo` request
 * answers with the request's payload) on the runtime's adapter: `Bun.serve` under Bun,
 * `Deno.serve` under Deno, `ws` on `node:http` under Node (bundled with esbuild first).
 *
 * @module
 */

import { conformanceService } from "../../conformance/service.ts";
import { Server } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { announce, hostname } from "./serve_args.ts";

const server = new Server({ ...conformanceService(), sessionManager: new MemorySessionManager() });

const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
if (runtime.Bun !== undefined) {
  const { serveBun } = await import("../../adapters/bun.ts");
  announce(serveBun(server, { hostname }).port);
} else if (runtime.Deno !== undefined) {
  const { serveDeno } = await import("../../adapters/deno.ts");
  announce(serveDeno(server, { hostname }).port);
} else {
  const { serveNode } = await import("../../adapters/node.ts");
  announce((await serveNode(server, { hostname })).port);
}
