/**
 * Why a WebSocket could not be opened, as far as the runtime says: the `error` event of Deno,
 * Bun and the `ws` package carries a message (connection refused, the HTTP status of a refused
 * upgrade, a failed DNS lookup); a browser's says nothing, on purpose. Internal to the client.
 *
 * @example
 * ```ts
 * import { dialFailure } from "./dial_failure.ts";
 * const failure = dialFailure({ message: "failed to connect to WebSocket: Invalid status code: 404" });
 * console.assert(failure.kind === "http-status" && failure.status === 404);
 * ```
 * @module
 */

/**
 * The kinds of dial failure the client can tell apart.
 *
 * - `refused`: nothing listens on that port.
 * - `http-status`: the server answered the upgrade with another HTTP status than 101.
 * - `dns`: the host name could not be resolved.
 * - `tls`: the TLS handshake of a `wss:` URL failed (a certificate the client does not trust,
 *   one for another host name, or a server that does not speak TLS there).
 * - `network`: no TCP connection, and the runtime does not say why (refused, unreachable or
 *   an unknown host).
 * - `unknown`: the runtime gives no reason (browsers) or one the client does not know.
 *
 * @example
 * ```ts
 * import type { DialFailureKind } from "@webwire/webwire";
 * const retryable = (kind: DialFailureKind): boolean => kind !== "http-status";
 * console.assert(retryable("refused"));
 * ```
 */
export type DialFailureKind = "refused" | "http-status" | "dns" | "tls" | "network" | "unknown";

/**
 * A dial failure as read from the WebSocket's `error` event.
 *
 * @example
 * ```ts
 * import type { DialFailure } from "@webwire/webwire";
 * const failure: DialFailure = { kind: "refused", detail: "connect ECONNREFUSED", text: "connection refused" };
 * console.assert(failure.status === undefined);
 * ```
 */
export interface DialFailure {
  /** What went wrong. */
  readonly kind: DialFailureKind;
  /** The HTTP status of a refused upgrade (`http-status` only). */
  readonly status?: number;
  /** The runtime's own message ("" when it gave none). */
  readonly detail: string;
  /** The explanation for an error message. */
  readonly text: string;
}

const statusPattern = /(?:status code:?|server response:)\s*(\d{3})\b/i;
const refusedPattern = /ECONNREFUSED|connection refused/i;
const dnsPattern = /dns error|ENOTFOUND|EAI_AGAIN|getaddrinfo|name resolution|not known/i;
const tlsPattern = /certificate|TLS handshake|SSL/i;
// What a TLS client says when the server answers in plain text (an HTTP response to the
// ClientHello): rustls in Deno, OpenSSL and BoringSSL in Node and Bun.
const noTlsPattern = /InvalidContentType|wrong[ _]version[ _]number|packet length too long/i;
// Deno says "tcp connect error" (after "failed to connect to WebSocket:", which prefixes every
// failure of its own), Bun "failed: Failed to connect" (refused, or a host it cannot resolve).
const networkPattern = /tcp connect error|failed: failed to connect\b/i;
// A TCP connection whose server ended it without an HTTP answer to the upgrade (a TLS server
// sent a plain ws: request, say): Deno, DenoWebSocket, Bun and Node's ws, in that order.
const noAnswerPattern = new RegExp(
  [
    "invalid HTTP version parsed",
    "closed the connection during the handshake",
    "failed: Connection ended$",
    "^socket hang up$",
  ].join("|"),
  "i",
);

/**
 * Reads the dial failure from a WebSocket `error` event (its `message`, or its `error`'s).
 *
 * @example
 * ```ts
 * import { dialFailure } from "./dial_failure.ts";
 * console.assert(dialFailure({ message: "connect ECONNREFUSED 127.0.0.1:1" }).kind === "refused");
 * console.assert(dialFailure(new Event("error")).kind === "unknown");
 * const plain = dialFailure({ message: "write EPROTO …:ssl3_get_record:wrong version number" });
 * console.assert(plain.kind === "tls" && plain.text.includes("without TLS"));
 * ```
 */
export function dialFailure(event: unknown): DialFailure {
  const detail = eventMessage(event);
  const status = statusPattern.exec(detail);
  if (status !== null) {
    const code = Number(status[1]);
    return {
      kind: "http-status",
      status: code,
      detail,
      text: `the server answered the WebSocket upgrade with HTTP ${code} (${statusHint(code)})`,
    };
  }
  if (refusedPattern.test(detail)) {
    return { kind: "refused", detail, text: "connection refused (is the server running?)" };
  }
  if (dnsPattern.test(detail)) {
    return { kind: "dns", detail, text: "the host name could not be resolved (DNS)" };
  }
  if (noTlsPattern.test(detail)) {
    return {
      kind: "tls",
      detail,
      text: "the TLS handshake failed: the server answered without TLS (a ws: server, or the " +
        "port of one? use ws: there)",
    };
  }
  if (tlsPattern.test(detail)) {
    return {
      kind: "tls",
      detail,
      text: "the TLS handshake failed (a certificate this client does not trust, or one for " +
        "another host name?)",
    };
  }
  if (networkPattern.test(detail)) {
    return {
      kind: "network",
      detail,
      text: "no TCP connection (refused, unreachable, or an unknown host)",
    };
  }
  if (noAnswerPattern.test(detail)) {
    return {
      kind: "unknown",
      detail,
      text: "the server ended the connection without answering the WebSocket upgrade (a wss: " +
        "server? use wss: for it; else no web server there)",
    };
  }
  return {
    kind: "unknown",
    detail,
    text: detail === ""
      ? "the runtime gives no reason (a browser shows it in its console): no server there, " +
        "or a wrong URL or path?"
      : detail,
  };
}

/** What an HTTP status to a WebSocket upgrade most likely means. */
function statusHint(code: number): string {
  if (code === 401 || code === 403) {
    return "the server refused this client: its credentials, origin or address";
  }
  if (code === 404 || code === 400 || code === 426) {
    return "a wrong path, or no WebSocket endpoint there?";
  }
  if (code === 429 || code === 503) return "the server is busy or shutting down: try again later";
  if (code >= 500) return "a server error";
  return "not a WebSocket endpoint, or one that refused this client";
}

function eventMessage(event: unknown): string {
  if (typeof event !== "object" || event === null) return "";
  const { message, error } = event as { message?: unknown; error?: unknown };
  if (typeof message === "string" && message !== "") return message;
  if (error instanceof Error) return error.message;
  return "";
}
