/**
 * webwire for TypeScript: the WebWire v2 messaging protocol (request-reply, signals, sessions
 * over one WebSocket) for Deno, Bun, Node and browsers.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeSignal } from "./mod.ts";
 * const m = decodeMessage(encodeSignal({ name: "hello", payload: "world" }));
 * console.assert(m.kind === "signal");
 * ```
 * @module
 */

export * from "./protocol/mod.ts";
