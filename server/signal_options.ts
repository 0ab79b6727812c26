/**
 * Options of the server's push operations: `server.broadcast`, `server.publish` and
 * `server.signalSession`.
 *
 * @example
 * ```ts
 * import type { BroadcastOptions } from "@webwire/webwire/server";
 * const options: BroadcastOptions = {
 *   encoding: "utf8",
 *   filter: (connection) => connection.session !== null,
 * };
 * console.assert(options.encoding === "utf8");
 * ```
 * @module
 */

import type { PayloadEncoding } from "../protocol/message_type.ts";
import type { Connection } from "./connection.ts";

/**
 * How a pushed signal's payload is encoded: a string is sent as UTF-8 unless `encoding` says
 * `utf16`, bytes as binary unless told, a `Payload` in its own encoding.
 *
 * @example
 * ```ts
 * import type { SignalOptions } from "@webwire/webwire/server";
 * const options: SignalOptions = { encoding: "utf16" };
 * console.assert(options.encoding === "utf16");
 * ```
 */
export interface SignalOptions {
  /** The payload encoding; see above for the default. */
  readonly encoding?: PayloadEncoding;
}

/**
 * Options of `server.broadcast`.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import type { BroadcastOptions } from "@webwire/webwire/server";
 * const server = new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: async (request) => {
 *     await request.connection.createSession({ user: request.payload.text() });
 *   },
 * });
 * const running = serveDeno(server);
 * const ada = new Client(running.url);
 * const guest = new Client(running.url);
 * await Promise.all([ada.request("login", "ada"), guest.connect()]);
 * const signedIn: BroadcastOptions = { filter: (connection) => connection.session !== null };
 * console.assert(server.broadcast("news", "for members", signedIn) === 1); // ada only
 * await Promise.all([ada.close(), guest.close()]);
 * await running.close();
 * ```
 */
export interface BroadcastOptions extends SignalOptions {
  /**
   * Which connections get the signal; default all. It runs on this server's connections
   * only, so a broadcast with a filter stays on this server (in a cluster too): use topics to
   * reach a group everywhere. It is asked for every connection before the signal is sent to
   * any: when it throws, `broadcast` throws that and sends to none.
   */
  readonly filter?: (connection: Connection) => boolean;
  /**
   * A connection left out, usually the sender's: "everyone but me". Unlike `filter` it keeps
   * a broadcast on every node of a cluster (the connection is on this one).
   */
  readonly except?: Connection;
}

/**
 * Options of `server.publish`.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { Client } from "@webwire/webwire";
 * import type { PublishOptions } from "@webwire/webwire/server";
 * const server: Server = new Server({
 *   sessionsEnabled: false,
 *   onRequest: ({ name, payload, connection }) => {
 *     if (name === "join") return void connection.subscribe("room:lobby");
 *     // Said to the room; the sender has it already.
 *     const others: PublishOptions = { except: connection };
 *     return String(server.publish("room:lobby", "said", payload.text(), others));
 *   },
 * });
 * const running = serveDeno(server);
 * const [ada, bob] = [new Client(running.url), new Client(running.url)];
 * await Promise.all([ada.request("join"), bob.request("join")]);
 * console.assert((await ada.request("say", "hi")).text() === "1"); // bob only
 * await Promise.all([ada.close(), bob.close()]);
 * await running.close();
 * ```
 */
export interface PublishOptions extends SignalOptions {
  /**
   * A subscriber left out, usually the sender's connection: "the room but me". Subscribers on
   * other nodes of a cluster get the signal all the same (the connection is on this one).
   */
  readonly except?: Connection;
}
