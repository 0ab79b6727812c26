/**
 * webwire for TypeScript: the WebWire v2 messaging protocol (request-reply, signals, sessions
 * over one WebSocket) for Deno, Bun, Node and browsers.
 *
 * This entry point holds what runs everywhere, browsers included: the codec and the client.
 * The server is `@webwire/webwire/server` with its runtime adapters
 * (`@webwire/webwire/adapters/deno`, `.../bun`, `.../hono`, `.../node`), session storage is
 * `@webwire/webwire/session`.
 *
 * @example
 * ```ts
 * import { Client, decodeMessage, encodeSignal } from "./mod.ts";
 * const m = decodeMessage(encodeSignal({ name: "hello", payload: "world" }));
 * console.assert(m.kind === "signal");
 * const client = new Client("ws://127.0.0.1:1/", { autoconnect: false });
 * console.assert(client.status === "disconnected");
 * ```
 * @module
 */

export * from "./protocol/mod.ts";
export * from "./client.ts";
