/**
 * A name a client chose (a request or signal name), quoted and clipped for an error message or
 * a log line. Internal to the typed layer.
 *
 * @example
 * ```ts
 * import { quotedName } from "./quoted_name.ts";
 * console.assert(quotedName("say") === '"say"');
 * ```
 * @module
 */

/**
 * `name` as a JSON string, clipped to 66 characters with an ellipsis (any client can send a
 * name of any length).
 *
 * @example
 * ```ts
 * import { quotedName } from "./quoted_name.ts";
 * console.assert(quotedName("x".repeat(500)).length === 66);
 * console.assert(quotedName('a "b"') === '"a \\"b\\""');
 * ```
 */
export function quotedName(name: string): string {
  const json = JSON.stringify(name);
  return json.length <= 66 ? json : `${json.slice(0, 64)}…"`;
}
