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

/**
 * The schemes of a WebSocket over a Unix domain socket (`ws+unix:///tmp/app.sock:/path`), as
 * Node's `ws` package and Bun's `WebSocket` take them: such a URL is dialled as given.
 */
const unixSocketSchemes = new Set(["ws+unix:", "wss+unix:"]);

/** A URL written with the scheme ws: or wss: (or one of {@link unixSocketSchemes}). */
const absoluteWebSocketUrl = /^wss?(?:\+unix)?:/i;

/**
 * Checks a server URL as the WebSocket constructor does and returns the URL to dial: a `ws:`
 * or `wss:` URL as given; an `http:` or `https:` one with its scheme replaced by `ws:` or
 * `wss:`; a relative one resolved against the page's base URL (`document.baseURI`, which
 * honours `<base href>`), else its address, where there is one (a browser). A `ws+unix:` or
 * `wss+unix:` URL (a Unix domain socket, for Node's `ws` package or Bun) is kept as given.
 *
 * @param base what a relative URL is resolved against; default the page's, as above.
 * @param shown how the error message names `url`; default `url` itself, quoted (a URL that may
 * carry a token names its origin instead).
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
 * console.assert(webSocketUrl("ws", "https://example.com/app/") === "wss://example.com/app/ws");
 * ```
 */
export function webSocketUrl(
  url: string | URL,
  base: string | undefined = pageBase(),
  shown?: string,
): string {
  const given = String(url);
  const refuse = (why: string): SyntaxError =>
    new SyntaxError(`bad server URL ${shown ?? JSON.stringify(given)}: ${why}`);
  let parsed: URL;
  try {
    parsed = new URL(given, base);
  } catch {
    throw refuse("not a valid absolute URL (a WebSocket URL looks like ws://host:port/path)");
  }
  const scheme = unixSocketSchemes.has(parsed.protocol)
    ? parsed.protocol
    : webSocketSchemes[parsed.protocol];
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

/**
 * What a relative URL is resolved against in the page a client runs in, if any: its base URL
 * (`<base href>`), as a browser resolves the URL given to `new WebSocket`, else its address (a
 * worker has no document).
 */
function pageBase(): string | undefined {
  const page = globalThis as {
    document?: { baseURI?: string };
    location?: { href?: string };
  };
  const baseUri = page.document?.baseURI;
  if (typeof baseUri === "string" && baseUri !== "") return baseUri;
  try {
    return page.location?.href;
  } catch {
    return undefined; // Deno before 2.0, run without --location, throws on reading it
  }
}
