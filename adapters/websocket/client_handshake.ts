/**
 * The client side of the WebSocket opening handshake (RFC 6455, 4.1): the upgrade request for a
 * URL, and the check of the server's answer. Portable: strings and bytes only.
 *
 * @example
 * ```ts
 * import { checkUpgradeAnswer, newSocketKey, upgradeRequest } from "./client_handshake.ts";
 * import { acceptFor } from "./handshake.ts";
 * const key = newSocketKey();
 * const request = new TextDecoder().decode(upgradeRequest(new URL("ws://example.com/ws"), key));
 * console.assert(request.startsWith("GET /ws HTTP/1.1\r\nhost: example.com\r\n"));
 * const answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
 *   `Connection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}`;
 * console.assert(checkUpgradeAnswer(answer, key) === undefined);
 * ```
 * @module
 */

import { acceptFor } from "./handshake.ts";

/**
 * A fresh `sec-websocket-key`: 16 random bytes in base64.
 *
 * @example
 * ```ts
 * import { newSocketKey } from "./client_handshake.ts";
 * console.assert(newSocketKey().length === 24);
 * ```
 */
export function newSocketKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * The bytes of the upgrade request for `url` (`ws:` or `wss:`), offering `protocols`.
 *
 * @example
 * ```ts
 * import { upgradeRequest } from "./client_handshake.ts";
 * const text = new TextDecoder().decode(
 *   upgradeRequest(new URL("ws://127.0.0.1:8080/ws?room=1"), "dGhlIHNhbXBsZSBub25jZQ==", ["v2"]),
 * );
 * console.assert(text.startsWith("GET /ws?room=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n"));
 * console.assert(text.includes("\r\nsec-websocket-protocol: v2\r\n") && text.endsWith("\r\n\r\n"));
 * ```
 */
export function upgradeRequest(
  url: URL,
  key: string,
  protocols: readonly string[] = [],
): Uint8Array {
  const offered = protocols.length > 0 ? `sec-websocket-protocol: ${protocols.join(", ")}\r\n` : "";
  return new TextEncoder().encode(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nupgrade: websocket\r\n` +
      `connection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n` +
      `${offered}\r\n`,
  );
}

/**
 * What is wrong with the server's answer head (status line and headers, without the blank
 * line) to the request made with `key`, or `undefined` when it accepts the upgrade.
 *
 * @example
 * ```ts
 * import { checkUpgradeAnswer } from "./client_handshake.ts";
 * const refused = checkUpgradeAnswer("HTTP/1.1 503 Service Unavailable\r\nretry-after: 1", "k");
 * console.assert(refused?.startsWith("the server answered the upgrade with status code 503"));
 * ```
 */
export function checkUpgradeAnswer(head: string, key: string): string | undefined {
  const lines = head.split("\r\n");
  const status = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (status === null) return `not an HTTP/1.1 answer: ${JSON.stringify(lines[0].slice(0, 80))}`;
  if (status[1] !== "101") {
    const text = status[2] ? ` (${status[2]})` : "";
    return `the server answered the upgrade with status code ${status[1]}${text}, not 101`;
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return `a malformed header line: ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return "no upgrade: websocket header";
  const connection = (headers.get("connection") ?? "").toLowerCase().split(",");
  if (!connection.some((token) => token.trim() === "upgrade")) {
    return "no connection: upgrade header";
  }
  if (headers.get("sec-websocket-accept") !== acceptFor(key)) {
    return "a wrong sec-websocket-accept";
  }
  if (headers.has("sec-websocket-extensions")) return "an extension that was not offered";
  return undefined;
}
