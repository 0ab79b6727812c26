/**
 * Whether a process still runs, for tests that check a stop reached every process it should.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { processRuns } from "./process_alive.ts";
 * console.assert(processRuns(process.pid));
 * ```
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";

/**
 * Whether process `pid` runs: it exists and, where `/proc` tells, is no zombie (ended, waiting
 * for its parent to read its end).
 *
 * @example
 * ```ts
 * import { processRuns } from "./process_alive.ts";
 * console.assert(!processRuns(2 ** 22 + 1)); // above Linux's largest process id
 * ```
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc: alive, as kill said
  }
}
