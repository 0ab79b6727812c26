/**
 * What request and signal handlers receive, and what a request handler may return.
 *
 * @example
 * ```ts
 * import type { IncomingRequest, ReplyValue } from "./incoming.ts";
 * const echo = (request: IncomingRequest): ReplyValue => request.payload;
 * console.assert(typeof echo === "function");
 * ```
 * @module
 */

import type { Payload } from "../protocol/payload.ts";
import type { Connection } from "./connection.ts";

/**
 * A signal from a client.
 *
 * @example
 * ```ts
 * import type { IncomingSignal } from "./incoming.ts";
 * const log = (signal: IncomingSignal): void => console.debug(signal.name, signal.payload.length);
 * console.assert(typeof log === "function");
 * ```
 */
export interface IncomingSignal {
  /** The signal's name (`""` for none). */
  readonly name: string;
  /**
   * The payload in the encoding the client chose; its bytes are a view of the received message,
   * valid for as long as the handler keeps it.
   */
  readonly payload: Payload;
  /** The connection it came from. */
  readonly connection: Connection;
}

/**
 * A request from a client, answered by what the handler returns or throws.
 *
 * @example
 * ```ts
 * import type { IncomingRequest } from "./incoming.ts";
 * const greet = (request: IncomingRequest): string => `hello ${request.payload.text()}`;
 * console.assert(typeof greet === "function");
 * ```
 */
export interface IncomingRequest extends IncomingSignal {
  /**
   * Aborted when the reply can no longer be delivered: the connection closed. Long handlers
   * can stop early.
   */
  readonly signal: AbortSignal;
}

/**
 * What a request handler returns: a `Payload` (replied in its encoding), a string (a UTF-8
 * reply), bytes (a binary reply), or nothing (an empty binary reply).
 *
 * @example
 * ```ts
 * import type { ReplyValue } from "./incoming.ts";
 * const values: ReplyValue[] = ["ok", new Uint8Array([1]), undefined];
 * console.assert(values.length === 3);
 * ```
 */
export type ReplyValue = Payload | Uint8Array | string | undefined | void;
