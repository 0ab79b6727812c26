/**
 * A typed view of a `Server` for pushing the contract's server signals: names and payload
 * types are checked at compile time, payloads go as JSON in UTF-8 (bytes as binary).
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { defineContract } from "@webwire/webwire/typed";
 * import { TypedServer } from "@webwire/webwire/typed";
 *
 * const news = defineContract<{ serverSignals: { headline: { title: string } } }>();
 * const server = new Server();
 * const push = new TypedServer(server, news);
 * console.assert(push.broadcast("headline", { title: "hello" }) === 0); // nobody connected
 * await server.shutdown();
 * ```
 * @module
 */

import type { Connection } from "../server/connection.ts";
import type { Server } from "../server/server.ts";
import type { BroadcastOptions, PublishOptions } from "../server/signal_options.ts";
import type { Contract, ServerSignalInput, ServerSignalName } from "./contract.ts";
import type { ContractDefinition } from "./define_contract.ts";
import type { PayloadArg, PayloadArgs } from "./payload_args.ts";
import { encodeValue } from "./payload_codec.ts";
import type { SendableContract } from "./sendable.ts";

/**
 * Options of {@link TypedServer.broadcast}: which connections get the signal (the encoding is
 * the typed layer's).
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { MemorySessionManager } from "@webwire/webwire/session";
 * import { type TypedBroadcastOptions, TypedServer } from "@webwire/webwire/typed";
 * const server = new Server({
 *   sessionManager: new MemorySessionManager(),
 *   onRequest: async (request) => void await request.connection.createSession(),
 * });
 * const running = serveDeno(server);
 * const [member, guest] = [new Client(running.url), new Client(running.url)];
 * await Promise.all([member.request("login"), guest.connect()]);
 * const push = new TypedServer<{ serverSignals: { news: { headline: string } } }>(server);
 * const signedIn: TypedBroadcastOptions = { filter: (connection) => connection.session !== null };
 * console.assert(push.broadcast("news", { headline: "members only" }, signedIn) === 1);
 * await Promise.all([member.close(), guest.close()]);
 * await running.close();
 * ```
 */
export type TypedBroadcastOptions = Omit<BroadcastOptions, "encoding">;

/**
 * Options of {@link TypedServer.publish}: a subscriber left out (`except`), usually the
 * sender's connection; the payload's encoding is the typed layer's.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { type TypedPublishOptions, TypedServer } from "@webwire/webwire/typed";
 * const push = new TypedServer<{ serverSignals: { said: string } }>(new Server());
 * const options: TypedPublishOptions = {}; // in a handler: { except: request.connection }
 * console.assert(push.publish("room:lobby", "said", "hi", options) === 0);
 * await push.server.shutdown();
 * ```
 */
export type TypedPublishOptions = Omit<PublishOptions, "encoding">;

/**
 * Pushes the contract's server signals through a `Server`: to one connection, to all, to a
 * topic's subscribers or to a session. Each method is the server's own with the payload
 * encoded by the typed layer, so the server's rules apply as they are (cluster relay,
 * offline signals kept for a session, slow readers closed).
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { defineContract } from "@webwire/webwire/typed";
 * import { createRouter } from "@webwire/webwire/typed";
 * import { TypedServer } from "@webwire/webwire/typed";
 *
 * interface Chat {
 *   requests: { join: { payload: string } };
 *   serverSignals: { joined: { room: string; members: number } };
 * }
 * const chat = defineContract<Chat>();
 * const server = new Server({
 *   ...createRouter(chat, {
 *     requests: {
 *       join: (room, { connection }) => {
 *         connection.subscribe(room);
 *         push.signal(connection, "joined", { room, members: 1 });
 *       },
 *     },
 *   }),
 * });
 * const push = new TypedServer(server, chat);
 * console.assert(push.publish("lobby", "joined", { room: "lobby", members: 0 }) === 0);
 * await server.shutdown();
 * ```
 */
export class TypedServer<C extends Contract & SendableContract<C>> {
  /** The server it pushes through. */
  readonly server: Server;

  /**
   * Wraps `server`. The contract definition is only there to infer `C`; with a contract
   * declared as a type, write `new TypedServer<Chat>(server)`.
   */
  constructor(server: Server, _contract?: ContractDefinition<C>) {
    this.server = server;
  }

  /**
   * Sends a server signal to one connection (`connection.signal`).
   *
   * @throws {ConnectionInactiveError} when the connection is closed.
   * @throws {TypeError} when the payload cannot be written as JSON.
   * @example
   * ```ts
   * import { Client } from "../client/client.ts";
   * import { Server } from "../server.ts";
   * import { serveDeno } from "../adapters/deno.ts";
   * import { TypedClient } from "./typed_client.ts";
   * import { TypedServer } from "./typed_server.ts";
   * type Api = { serverSignals: { welcome: { user: string } } };
   * const server = new Server({
   *   sessionsEnabled: false,
   *   onClientConnected: (connection) => push.signal(connection, "welcome", { user: "ada" }),
   * });
   * const push = new TypedServer<Api>(server);
   * const running = serveDeno(server);
   * const api = new TypedClient<Api>(new Client(running.url));
   * const welcome = Promise.withResolvers<string>();
   * api.on("welcome", ({ user }) => welcome.resolve(user));
   * await api.client.connect();
   * console.assert((await welcome.promise) === "ada");
   * await api.client.close();
   * await running.close();
   * ```
   */
  signal<N extends ServerSignalName<C>>(
    connection: Connection,
    name: N,
    ...[payload]: PayloadArg<ServerSignalInput<C, N>>
  ): void {
    connection.signal(name, encodeValue(payload));
  }

  /**
   * Sends a server signal to every connection (or those `filter` accepts): `server.broadcast`.
   *
   * @returns how many connections it was sent to.
   * @example
   * ```ts
   * import { Server } from "../server/server.ts";
   * import { TypedServer } from "./typed_server.ts";
   * const push = new TypedServer<{ serverSignals: { tick: number } }>(new Server());
   * console.assert(push.broadcast("tick", 1, { filter: (c) => c.session !== null }) === 0);
   * await push.server.shutdown();
   * ```
   */
  broadcast<N extends ServerSignalName<C>>(
    name: N,
    ...[payload, options]: PayloadArgs<ServerSignalInput<C, N>, TypedBroadcastOptions>
  ): number {
    const { filter, except } = options ?? {};
    return this.server.broadcast(name, encodeValue(payload), { filter, except });
  }

  /**
   * Sends a server signal to the subscribers of `topic`: `server.publish`.
   *
   * @returns how many connections it was sent to.
   * @throws {RangeError} for a bad topic name.
   * @example
   * ```ts
   * import { Server } from "../server/server.ts";
   * import { TypedServer } from "./typed_server.ts";
   * const push = new TypedServer<{ serverSignals: { said: string } }>(new Server());
   * console.assert(push.publish("room:lobby", "said", "hi all") === 0);
   * await push.server.shutdown();
   * ```
   */
  publish<N extends ServerSignalName<C>>(
    topic: string,
    name: N,
    ...[payload, options]: PayloadArgs<ServerSignalInput<C, N>, TypedPublishOptions>
  ): number {
    return this.server.publish(topic, name, encodeValue(payload), { except: options?.except });
  }

  /**
   * Sends a server signal to every connection holding session `key`, or keeps it for the
   * session's return: `server.signalSession`.
   *
   * @returns how many connections it was sent to now.
   * @example
   * ```ts
   * import { Server } from "../server/server.ts";
   * import { TypedServer } from "./typed_server.ts";
   * const push = new TypedServer<{ serverSignals: { mail: { unread: number } } }>(new Server());
   * console.assert(push.signalSession("the-session-key", "mail", { unread: 3 }) === 0);
   * await push.server.shutdown();
   * ```
   */
  signalSession<N extends ServerSignalName<C>>(
    key: string,
    name: N,
    ...[payload]: PayloadArg<ServerSignalInput<C, N>>
  ): number {
    return this.server.signalSession(key, name, encodeValue(payload));
  }
}
