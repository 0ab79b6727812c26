/**
 * The CLI's trace: `WEBWIRE_TRACE=1` (or `payloads`) prints a line per message to stderr, so
 * that stdout keeps only what the command prints.
 *
 * @example
 * ```ts
 * import { cliTrace } from "./trace.ts";
 * const trace = cliTrace();
 * console.assert(trace === false || typeof trace === "object");
 * ```
 * @module
 */

import { traceSettingFromEnvironment } from "../protocol/trace.ts";

/**
 * The `trace` option of the CLI's servers and clients: off, or on with lines to stderr.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { cliTrace } from "./trace.ts";
 * const client = new Client("ws://127.0.0.1:8080/", { autoconnect: false, trace: cliTrace() });
 * await client.close();
 * ```
 */
export function cliTrace(): false | { payloads: boolean; sink: (line: string) => void } {
  const setting = traceSettingFromEnvironment();
  if (setting === false) return false;
  return { payloads: setting === "payloads", sink: (line) => console.error(line) };
}
