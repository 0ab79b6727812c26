/**
 * The JavaScript heap in use after a full garbage collection, for tests of what code keeps
 * alive: Bun collects through `Bun.gc(true)`, Deno and Node through V8's `gc`, exposed at run
 * time (no command-line flag needed).
 *
 * @example
 * ```ts
 * import { heapAfterGc } from "./heap_after_gc.ts";
 * const before = heapAfterGc();
 * // Objects (an array's bytes may live outside the heap that `heapUsed` counts).
 * const kept = Array.from({ length: 100_000 }, (_, i) => ({ i }));
 * console.assert(heapAfterGc() - before > 1_000_000 && kept.length === 100_000);
 * ```
 * @module
 */

import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";

interface WithBun {
  Bun?: { gc(force: boolean): void };
}

let v8Gc: (() => void) | undefined;

/**
 * Collects garbage (twice: objects freed by the first collection's finalizers go too) and
 * returns `process.memoryUsage().heapUsed`.
 *
 * @example
 * ```ts
 * import { heapAfterGc } from "./heap_after_gc.ts";
 * console.assert(heapAfterGc() > 0);
 * ```
 */
export function heapAfterGc(): number {
  const bun = (globalThis as WithBun).Bun;
  for (let i = 0; i < 2; i++) {
    if (bun !== undefined) bun.gc(true);
    else (v8Gc ??= exposedGc())();
  }
  return process.memoryUsage().heapUsed;
}

function exposedGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}
