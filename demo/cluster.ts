/**
 * The WebWire cluster demo (`npm run demo:cluster`): a redis-server of its own and three
 * server processes on it, one per runtime, with a transcript of clients hopping between them
 * (see `run_cluster_demo.ts`). Exits 0 when every step behaved as expected, 1 when one did not
 * or the demo hung, 3 when redis-server is not installed (with a one-line hint). Runs under
 * Deno (`deno run -A demo/cluster.ts`) and Bun (`bun run demo/cluster.ts`); needs Debian's
 * `redis-server`, and Deno, Bun and Node as installed by `npm install` (Node from PATH).
 *
 * @example
 * ```ts
 * import { runClusterDemo } from "./run_cluster_demo.ts";
 * console.assert(typeof runClusterDemo === "function");
 * ```
 * @module
 */

import process from "node:process";
import { runClusterDemo } from "./run_cluster_demo.ts";

const result = await runClusterDemo((line) => console.log(line), { deadline: 40_000 });
process.exit(result === "passed" ? 0 : result === "failed" ? 1 : 3);
