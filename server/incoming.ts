/**
 * What request and signal handlers receive, and what a request handler may return.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import type { IncomingRequest, ReplyValue } from "@webwire/webwire/server";
 * const echo = (request: IncomingRequest): ReplyValue => request.payload;
 * const running = serveDeno(new Server({ sessionsEnabled: false, onRequest: echo }));
 * const client = new Client(running.url);
 * const reply = await client.request("echo", "hi", { encoding: "utf16" });
 * console.assert(reply.encoding === "utf16" && reply.text() === "hi"); // as it came in
 * await client.close();
 * await running.close();
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
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import type { IncomingSignal } from "@webwire/webwire/server";
 * const heard = Promise.withResolvers<string>();
 * const onSignal = (signal: IncomingSignal): void => {
 *   heard.resolve(`${signal.name} ${signal.payload.text()}`);
 * };
 * const running = serveDeno(new Server({ sessionsEnabled: false, onSignal }));
 * const client = new Client(running.url);
 * await client.connect();
 * client.signal("typing", "ada");
 * console.assert((await heard.promise) === "typing ada");
 * await client.close();
 * await running.close();
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
 * A request from a client, answered by what the handler returns or throws. A handler that
 * returns `request.payload` as it came (or its `bytes`) is answered without a copy on the Deno
 * and Bun sockets and the adapters' own framing: the reply is written over the request's bytes
 * in front of the payload. The payload's own bytes never change; the rest of the message's
 * buffer (`payload.bytes.buffer`) may.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import type { IncomingRequest } from "@webwire/webwire/server";
 * const greet = (request: IncomingRequest): string => `${request.name} ${request.payload.text()}`;
 * const running = serveDeno(new Server({ sessionsEnabled: false, onRequest: greet }));
 * const client = new Client(running.url);
 * const reply = await client.request("hello", "ada");
 * console.assert(reply.text() === "hello ada");
 * await client.close();
 * await running.close();
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
 * import type { ReplyValue } from "@webwire/webwire/server";
 * const values: ReplyValue[] = ["ok", new Uint8Array([1]), undefined];
 * console.assert(values.length === 3);
 * ```
 */
export type ReplyValue = Payload | Uint8Array | string | undefined | void;
