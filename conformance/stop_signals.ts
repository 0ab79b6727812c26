/**
 * The signals that ask a suite run to stop: Ctrl-C (SIGINT), a supervisor's SIGTERM and, where
 * there is one, a closed terminal's SIGHUP. Clients and decoders run in process groups of their
 * own, which these signals do not reach: the run hears them and stops what it started. The
 * CLI's `serve` and `listen` stop gracefully on the same signals.
 *
 * @example
 * ```ts
 * import { onStopSignals } from "./stop_signals.ts";
 * const stopListening = onStopSignals(() => console.log("stopping"));
 * stopListening();
 * ```
 * @module
 */

import process from "node:process";

/** SIGHUP only where the system has it (not Windows). */
const stopSignals: readonly NodeJS.Signals[] = process.platform === "win32"
  ? ["SIGINT", "SIGTERM"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Calls `stop` on each stop signal until the returned function is called.
 *
 * @example
 * ```ts
 * import { onStopSignals } from "./stop_signals.ts";
 * const controller = new AbortController();
 * const off = onStopSignals(() => controller.abort());
 * off(); // before the process ends: a later signal ends it as usual
 * console.assert(!controller.signal.aborted);
 * ```
 */
export function onStopSignals(stop: () => void): () => void {
  for (const signal of stopSignals) process.on(signal, stop);
  return () => {
    for (const signal of stopSignals) process.off(signal, stop);
  };
}
