/**
 * The entry of the no-build browser bundle `dist/webwire-typed.js` (`npm run build:browser`):
 * everything of `dist/webwire-client.js` (the client, its errors, `Payload`) plus the typed
 * layer's client side: `TypedClient`, `defineContract`, `unchecked` and the payload codec. The
 * router and `TypedServer` stay out (they serve requests: a server's part), and so does
 * everything of the server, the session managers, the adapters and Node, Deno or Bun; the build
 * fails if any of it would end up in the bundle. One module holds both, so `RequestError` and
 * the other error classes are the same classes for the client and the typed client.
 *
 * @example
 * ```ts ignore
 * // In a page, with dist/webwire-typed.js served next to it:
 * import { Client, defineContract, TypedClient } from "./webwire-typed.js";
 * type Api = { requests: { add: { payload: [number, number]; reply: number } } };
 * const api = new TypedClient(new Client(`ws://${location.host}/ws`), defineContract<Api>());
 * console.log(await api.request("add", [1, 2])); // 3
 * ```
 * @module
 */

export * from "../client.ts";
export { defineContract } from "../typed/define_contract.ts";
export { BadPayloadError, TypedErrorCode } from "../typed/errors.ts";
export { decodeValue, encodeValue } from "../typed/payload_codec.ts";
export { TypedClient } from "../typed/typed_client.ts";
export { unchecked } from "../typed/unchecked.ts";
