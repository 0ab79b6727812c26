/**
 * The server URL of a client, checked when the client is made, as the WebSocket constructor
 * checks it (WHATWG): a bad URL is an error at once, not a dial that fails, and is retried, for
 * good. Internal to the client.
 *
 * @example
 * ```ts
 * import { webSocketUrl } from "./websocket_url.ts";
 * console.assert(webSocketUrl("https://example.com/ws") === "wss://example.com/ws");
 * ```
 * @module
 */

/** What `http:` and `https:` stand for in a WebSocket URL. */
const webSocketSchemes: Record<string, string> = {
  "ws:": "ws:",
  "wss:": "wss:",
  "http:": "ws:",
  "https:": "wss:",
};

/** A URL written with the scheme ws: or wss:. */
const absoluteWebSocketUrl = /^wss?:/i;

/**
 * Checks a server URL as the WebSocket constructor does and returns the URL to dial: a `ws:`
 * or `wss:` URL as given; an `http:` or `https:` one with its scheme replaced by `ws:` or
 * `wss:`; a relative one resolved against the page's address, where there is one (a browser).
 *
 * @throws {SyntaxError} when `url` is no URL, has another scheme (`localhost:1234` has the
 * scheme `localhost:`), or has a fragment (`#…`, even an empty one).
 *
 * @example
 * ```ts
 * import { webSocketUrl } from "./websocket_url.ts";
 * console.assert(webSocketUrl("ws://127.0.0.1:8080") === "ws://127.0.0.1:8080");
 * console.assert(webSocketUrl(new URL("http://127.0.0.1:8080/")) === "ws://127.0.0.1:8080/");
 * let refused = "";
 * try {
 *   webSocketUrl("localhost:8080");
 * } catch (error) {
 *   refused = (error as SyntaxError).message;
 * }
 * console.assert(refused.includes("the scheme must be ws: or wss:"));
 * ```
 */
export function webSocketUrl(url: string | URL): string {
  const given = String(url);
  const refuse = (why: string): SyntaxError =>
    new SyntaxError(`bad server URL ${JSON.stringify(given)}: ${why}`);
  let parsed: URL;
  try {
    parsed = new URL(given, pageAddress());
  } catch {
    throw refuse("not a valid absolute URL (a WebSocket URL looks like ws://host:port/path)");
  }
  const scheme = webSocketSchemes[parsed.protocol];
  if (scheme === undefined) {
    throw refuse(`the scheme must be ws: or wss: (or http: or https:), got ${parsed.protocol}`);
  }
  // The serialized URL holds a "#" only before a fragment (elsewhere it is percent-encoded),
  // and an empty fragment counts, as for the WebSocket constructor.
  if (parsed.href.includes("#")) throw refuse("a WebSocket URL has no fragment (#…)");
  // A ws: or wss: URL stays as the caller wrote it (in error messages and traces, say).
  if (absoluteWebSocketUrl.test(given)) return given;
  parsed.protocol = scheme;
  return parsed.href;
}

/** The address of the page a client runs in (a relative URL is resolved against it), if any. */
function pageAddress(): string | undefined {
  try {
    return (globalThis as { location?: { href?: string } }).location?.href;
  } catch {
    return undefined; // Deno before 2.0, run without --location, throws on reading it
  }
}
