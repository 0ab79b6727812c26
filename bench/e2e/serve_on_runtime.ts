/**
 * Serves a benchmark's WebWire server on the adapter of the runtime it runs in: `Bun.serve`
 * under Bun, `Deno.serve` under Deno (`Deno.listen` with `--tcp`), `node:http` under Node
 * (bundled with esbuild first). Shared by the benchmark servers, which print their port once it
 * listens.
 *
 * @example
 * ```ts ignore
 * import { Server } from "../../server.ts";
 * import { serveOnRuntime } from "./serve_on_runtime.ts";
 * import { announce } from "./serve_args.ts";
 * const running = await serveOnRuntime(new Server({ onRequest: (r) => r.payload }));
 * announce(running.port);
 * ```
 * @module
 */

import type { RunningServer } from "../../adapters/deno.ts";
import type { Server } from "../../server.ts";
import process from "node:process";
import { hostname } from "./serve_args.ts";

/**
 * Listens on 127.0.0.1 (`port` 0: a free one) with the runtime's own adapter; each adapter is
 * imported only where it runs.
 */
export async function serveOnRuntime(server: Server, port = 0): Promise<RunningServer> {
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
  if (runtime.Bun !== undefined) {
    const { serveBun } = await import("../../adapters/bun.ts");
    return serveBun(server, { hostname, port });
  }
  if (runtime.Deno !== undefined && process.argv.includes("--tcp")) {
    const { serveDenoTcp } = await import("../../adapters/deno_tcp.ts");
    return await serveDenoTcp(server, { hostname, port });
  }
  if (runtime.Deno !== undefined) {
    const { serveDeno } = await import("../../adapters/deno.ts");
    return serveDeno(server, { hostname, port });
  }
  const { serveNode } = await import("../../adapters/node.ts");
  return await serveNode(server, { hostname, port });
}
