/**
 * The WebWire demo (`npm start`): a server and a client in one process, with a transcript
 * of what each side sends and receives. Exits 0 when every step behaved as expected and 1
 * otherwise. Runs under Deno (`deno run -A demo/main.ts`) and Bun (`bun run demo/main.ts`).
 *
 * @example
 * ```ts
 * import { runDemo } from "./run_demo.ts";
 * console.assert(typeof runDemo === "function");
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
