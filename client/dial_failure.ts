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
 *   or one for another host name).
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
const networkPattern = /tcp connect error|failed to connect\b/i;

/**
 * Reads the dial failure from a WebSocket `error` event (its `message`, or its `error`'s).
 *
 * @example
 * ```ts
 * import { dialFailure } from "./dial_failure.ts";
 * console.assert(dialFailure({ message: "connect ECONNREFUSED 127.0.0.1:1" }).kind === "refused");
 * console.assert(dialFailure(new Event("error")).kind === "unknown");
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
