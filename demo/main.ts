/**
 * The WebWire demo (`npm start`): a server and a client in one process, with a transcript
 * of what each side sends and receives. Exits 0 when every step behaved as expected and 1
 * otherwise. Runs under Deno (`deno run -A demo/main.ts`) and Bun (`bun run demo/main.ts`).
 *
 * @example
 * ```ts
 * import { execFile } from "node:child_process";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * const main = fileURLToPath(new URL("./main.ts", import.meta.url));
 * // What `npm start` runs; a failed step would make it exit 1 (and execFile reject).
 * const args = ["run", "-A", main];
 * const transcript = await new Promise<string>((resolve, reject) =>
 *   execFile(process.execPath, args, (error, out) => error ? reject(error) : resolve(out))
 * );
 * console.assert(/^== Summary\n +all \d+ checks passed\n$/m.test(transcript));
 * ```
 * @module
 */

import process from "node:process";
import { runDemo } from "./run_demo.ts";

/** The demo takes a few seconds; far beyond that, something hangs. */
const deadlineMs = 20_000;

const watchdog = setTimeout(() => {
  console.log(`\nFAIL: the demo did not finish within ${deadlineMs} ms`);
  process.exit(2);
}, deadlineMs);
const ok = await runDemo((line) => console.log(line));
clearTimeout(watchdog);
process.exit(ok ? 0 : 1);
