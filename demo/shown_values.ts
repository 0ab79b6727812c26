/**
 * How the demos write values into their transcripts: errors by name and message, texts quoted,
 * session keys shortened, and the runtime they run on.
 *
 * @example
 * ```ts
 * import { describe, runtimeName, short, show } from "./shown_values.ts";
 * console.assert(describe(new TypeError("bad")) === "TypeError: bad");
 * console.assert(show("hi") === '"hi"' && show(undefined) === "(nothing)");
 * console.assert(short("0123456789abcdefXYZ") === "0123456789ab…");
 * console.assert(runtimeName().startsWith("Deno "));
 * ```
 * @module
 */

/**
 * An error as `Name: message`, `undefined` as `(nothing)`, anything else as `String(value)`.
 *
 * @example
 * ```ts
 * import { describe } from "./shown_values.ts";
 * console.assert(describe(42) === "42" && describe(undefined) === "(nothing)");
 * ```
 */
export function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value === undefined ? "(nothing)" : String(value);
}

/**
 * A text in JSON quotes, `undefined` as `(nothing)`.
 *
 * @example
 * ```ts
 * import { show } from "./shown_values.ts";
 * console.assert(show('say "hi"') === '"say \\"hi\\""');
 * ```
 */
export function show(text: string | undefined): string {
  return text === undefined ? "(nothing)" : JSON.stringify(text);
}

/**
 * A session key cut to its first 12 characters when longer than 16, `undefined` as `(none)`.
 *
 * @example
 * ```ts
 * import { short } from "./shown_values.ts";
 * console.assert(short("abc") === "abc" && short(undefined) === "(none)");
 * ```
 */
export function short(key: string | undefined): string {
  return key === undefined ? "(none)" : key.length > 16 ? `${key.slice(0, 12)}…` : key;
}

/**
 * The runtime and its version, such as `Deno 2.9.6` or `Bun 1.4.5`.
 *
 * @example
 * ```ts
 * import { runtimeName } from "./shown_values.ts";
 * console.log(`running on ${runtimeName()}`);
 * ```
 */
export function runtimeName(): string {
  const bun = (globalThis as { Bun?: { version: string } }).Bun;
  if (bun !== undefined) return `Bun ${bun.version}`;
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno === undefined ? "an unknown runtime" : `Deno ${deno.version.deno}`;
}
