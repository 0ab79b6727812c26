/**
 * The command line of the fault scripts (`fuzz.ts`, `slow_reader.ts`): numeric options with
 * their defaults, and the runtime of the server under test.
 *
 * @example
 * ```ts ignore
 * import { numberOption, runtimeOption } from "./fault_args.ts";
 * const runtime = runtimeOption(); // --runtime bun|deno|deno-tcp|node
 * const seed = numberOption("--seed", 1);
 * ```
 * @module
 */

import process from "node:process";
import type { Runtime } from "./fault_server_process.ts";

/** The number after `name` on the command line, or `fallback` when it is absent. */
export function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : Number(process.argv[index + 1]);
}

/** The required `--runtime bun|deno|deno-tcp|node`; throws without it. */
export function runtimeOption(): Runtime {
  const index = process.argv.indexOf("--runtime");
  const runtime = process.argv[index + 1] as Runtime;
  if (index < 0 || !["bun", "deno", "deno-tcp", "node"].includes(runtime)) {
    throw new Error("--runtime bun|deno|deno-tcp|node is required");
  }
  return runtime;
}
