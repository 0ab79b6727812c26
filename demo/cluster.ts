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
 * import { spawn } from "node:child_process";
 * import { once } from "node:events";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const cluster = fileURLToPath(new URL("./cluster.ts", import.meta.url));
 * // Where redis-server cannot be found: exit code 3 and a one-line hint.
 * const env = { ...process.env, PATH: "/nonexistent", NO_COLOR: "1" };
 * const child = spawn(process.execPath, ["run", "-A", cluster], { env });
 * let output = "";
 * child.stdout.on("data", (chunk) => output += chunk);
 * const [code] = await once(child, "exit");
 * console.assert(code === 3 && output.includes("redis-server"));
 * ```
 * @module
 */

import process from "node:process";
import { runClusterDemo } from "./run_cluster_demo.ts";

const result = await runClusterDemo((line) => console.log(line), { deadline: 40_000 });
process.exit(result === "passed" ? 0 : result === "failed" ? 1 : 3);
