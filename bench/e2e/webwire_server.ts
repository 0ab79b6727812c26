/**
 * Our server for the end-to-end benchmark: the conformance service (whose `echo` request
 * answers with the request's payload) on the runtime's adapter: `Bun.serve` under Bun,
 * `Deno.serve` under Deno, `node:http` under Node (bundled with esbuild first).
 *
 * @module
 */

import { conformanceService } from "../../conformance/service.ts";
import { Server } from "../../server.ts";
import { MemorySessionManager } from "../../session/mod.ts";
import { announce } from "./serve_args.ts";
import { serveOnRuntime } from "./serve_on_runtime.ts";

const server = new Server({ ...conformanceService(), sessionManager: new MemorySessionManager() });

announce((await serveOnRuntime(server)).port);
