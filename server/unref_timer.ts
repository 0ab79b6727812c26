/**
 * Lets the process end while a timer waits: a server's housekeeping (expiry sweeps, the
 * clean-up of kept signals) must not keep alive a process that is otherwise done.
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./unref_timer.ts";
 * const timer = setTimeout(() => console.log("never, if nothing else keeps the process"), 60_000);
 * unrefTimer(timer); // the process may end before it fires
 * clearTimeout(timer);
 * ```
 * @module
 */

/**
 * Unrefs `timer` (Node and Bun: `timer.unref()`; Deno: `Deno.unrefTimer(id)`); elsewhere (a
 * browser) nothing.
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./unref_timer.ts";
 * const timer = setInterval(() => {}, 1000);
 * unrefTimer(timer);
 * clearInterval(timer);
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "object") return void (timer as { unref?(): void }).unref?.();
  const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
  deno?.unrefTimer?.(timer as number);
}
