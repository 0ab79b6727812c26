/**
 * A router built from a contract: one handler per request and client-signal name, producing
 * the `onRequest` / `onSignal` hooks of a `Server`. It decodes JSON payloads, validates them
 * with the contract's schemas, and answers what does not fit with error replies.
 *
 * @example
 * ```ts
 * import { Server } from "@webwire/webwire/server";
 * import { defineContract } from "@webwire/webwire/typed";
 * import { createRouter } from "@webwire/webwire/typed";
 *
 * const api = defineContract<{ requests: { add: { payload: [number, number]; reply: number } } }>();
 * const server = new Server({
 *   ...createRouter(api, { requests: { add: ([a, b]) => a + b } }),
 * });
 * await server.shutdown();
 * ```
 * @module
 */

import { guardedLogger } from "../protocol/guarded_logger.ts";
import type { Logger } from "../protocol/logger.ts";
import { RequestError } from "../protocol/request_error.ts";
import type { IncomingRequest, IncomingSignal, ReplyValue } from "../server/incoming.ts";
import type {
  ClientSignalName,
  ClientSignalPayload,
  Contract,
  RequestName,
  RequestPayload,
  RequestReply,
} from "./contract.ts";
import type { ContractDefinition } from "./define_contract.ts";
import { TypedErrorCode } from "./errors.ts";
import { encodeValue } from "./payload_codec.ts";
import { noPayload, type PayloadCheck, PayloadReader } from "./payload_reader.ts";
import { quotedName } from "./quoted_name.ts";
import { handlerMap } from "./handler_map.ts";
import type { SendableContract } from "./sendable.ts";

/**
 * What a request handler returns: the reply value (or a promise of it); nothing at all when
 * the contract gives the request no reply.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import {
 *   createRouter,
 *   defineContract,
 *   type HandlerResult,
 *   TypedClient,
 * } from "@webwire/webwire/typed";
 *
 * type Api = { requests: { price: { payload: string; reply: number } } };
 * const cached = new Map([["ACME", 101]]);
 * const lookUp = (symbol: string) => Promise.resolve(symbol.length * 10); // a database, say
 * // A number at once when cached, else a promise of one: both are a HandlerResult<number>.
 * const price = (symbol: string): HandlerResult<number> => cached.get(symbol) ?? lookUp(symbol);
 * const router = createRouter(defineContract<Api>(), { requests: { price } });
 * const running = serveDeno(new Server({ ...router }));
 * const api = new TypedClient<Api>(new Client(running.url));
 * console.assert((await api.request("price", "ACME")) === 101);
 * console.assert((await api.request("price", "XY")) === 20);
 * await api.client.close();
 * await running.close();
 * ```
 */
export type HandlerResult<R> = [R] extends [undefined | void] ? void | Promise<void>
  : R | Promise<R>;

/**
 * A request handler: takes the decoded (and validated) payload and the raw request (its
 * `connection`, abort `signal`, name and payload bytes), returns the reply or throws a
 * `RequestError` for an error reply.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter, defineContract, type RequestHandler, TypedClient } from "@webwire/webwire/typed";
 * type Api = { requests: { greet: { payload: string; reply: string } } };
 * const greet: RequestHandler<Api, "greet"> = (name) => `hello ${name}`;
 * const router = createRouter(defineContract<Api>(), { requests: { greet } });
 * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
 * const api = new TypedClient<Api>(new Client(running.url));
 * console.assert((await api.request("greet", "ada")) === "hello ada");
 * await api.client.close();
 * await running.close();
 * ```
 */
export type RequestHandler<C extends Contract, N extends RequestName<C>> = (
  payload: RequestPayload<C, N>,
  request: IncomingRequest,
) => HandlerResult<RequestReply<C, N>>;

/**
 * A client-signal handler: takes the decoded (and validated) payload and the raw signal.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter, defineContract, type SignalHandler, TypedClient } from "@webwire/webwire/typed";
 * type Api = { clientSignals: { typing: { room: string } } };
 * const subscribed = Promise.withResolvers<string>();
 * const typing: SignalHandler<Api, "typing"> = ({ room }, signal) => {
 *   signal.connection.subscribe(`typing:${room}`);
 *   subscribed.resolve(`typing:${room}`);
 * };
 * const server = new Server({
 *   sessionsEnabled: false,
 *   ...createRouter(defineContract<Api>(), { clientSignals: { typing } }),
 * });
 * const running = serveDeno(server);
 * const api = new TypedClient<Api>(new Client(running.url));
 * await api.client.connect();
 * api.signal("typing", { room: "lobby" });
 * console.assert(server.topicConnections(await subscribed.promise).length === 1);
 * await api.client.close();
 * await running.close();
 * ```
 */
export type SignalHandler<C extends Contract, N extends ClientSignalName<C>> = (
  payload: ClientSignalPayload<C, N>,
  signal: IncomingSignal,
) => void | Promise<void>;

/**
 * The handlers of a contract: `requests` has one per request name and `clientSignals` one per
 * client-signal name, all required (a section may be left out when the contract has no names
 * in it).
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter, defineContract, type RouterHandlers, TypedClient } from "@webwire/webwire/typed";
 * type Api = { requests: { ping: { reply: string } }; clientSignals: { bye: undefined } };
 * const handlers: RouterHandlers<Api> = {
 *   requests: { ping: () => "pong" },
 *   // Not awaited: a graceful close waits for the running handlers, this one included.
 *   clientSignals: { bye: (_payload, signal) => void signal.connection.close() },
 * };
 * const router = createRouter(defineContract<Api>(), handlers);
 * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
 * const api = new TypedClient<Api>(new Client(running.url, { autoconnect: false }));
 * await api.client.connect();
 * console.assert((await api.request("ping")) === "pong");
 * const closed = new Promise((resolve) => api.client.addEventListener("disconnected", resolve));
 * api.signal("bye"); // the server closes the connection
 * await closed;
 * await api.client.close();
 * await running.close();
 * ```
 */
export type RouterHandlers<C extends Contract> =
  & ([RequestName<C>] extends [never] ? { readonly requests?: { readonly [name: string]: never } }
    : { readonly requests: { readonly [N in RequestName<C>]: RequestHandler<C, N> } })
  & ([ClientSignalName<C>] extends [never]
    ? { readonly clientSignals?: { readonly [name: string]: never } }
    : {
      readonly clientSignals: { readonly [N in ClientSignalName<C>]: SignalHandler<C, N> };
    });

/**
 * Options of {@link createRouter}.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter, defineContract, type RouterOptions } from "@webwire/webwire/typed";
 * const rejected = Promise.withResolvers<string>();
 * const options: RouterOptions = {
 *   onRejectedSignal: (signal, error) => rejected.resolve(`${signal.name} ${error.code}`),
 * };
 * const api = defineContract<{ clientSignals: { typing: { room: string } } }>();
 * const router = createRouter(api, { clientSignals: { typing: () => {} } }, options);
 * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
 * const client = new Client(running.url);
 * await client.connect();
 * client.signal("typing", "{"); // an untyped client, and not JSON
 * console.assert((await rejected.promise) === "typing BAD_PAYLOAD");
 * await client.close();
 * await running.close();
 * ```
 */
export interface RouterOptions {
  /**
   * Answers requests whose name is not in the contract, as an untyped `onRequest` would (to
   * move a server to the typed layer name by name). Default: an `UNKNOWN_REQUEST` error reply.
   */
  onUnknownRequest?(request: IncomingRequest): ReplyValue | Promise<ReplyValue>;
  /**
   * Told of each client signal the router drops: an unknown name, a payload that is not JSON
   * (a binary one, to a contract declared as a type), fails its schema or makes it throw;
   * `error` has the code and message a request would have been answered with. It may be
   * async; what it throws, or its promise rejects with, is logged as a signal handler's
   * failure. Default: dropped silently (signals have no reply).
   */
  onRejectedSignal?(signal: IncomingSignal, error: RequestError): void | Promise<void>;
  /** The longest `INVALID_PAYLOAD` message, in characters; default 200, at least 20. */
  maxIssueSummary?: number;
  /**
   * Where the router logs what the server's operator should know of: a payload schema that
   * threw (an error), a binary payload to a contract declared as a type (a warning). Give it
   * the server's `logger`. Default: `console`.
   */
  logger?: Logger;
}

/**
 * The hooks a router produces; spread them into the `Server` options.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { RequestError } from "@webwire/webwire/protocol";
 * import { createRouter, defineContract, type TypedRouter } from "@webwire/webwire/typed";
 * const api = defineContract<{ requests: { ping: { reply: string } } }>();
 * const router: TypedRouter = createRouter(api, { requests: { ping: () => "pong" } });
 * const running = serveDeno(new Server({ ...router, sessionsEnabled: false }));
 * const client = new Client(running.url); // untyped: the router answers any WebWire client
 * console.assert((await client.request("ping")).text() === '"pong"');
 * const unknown = await client.request("pong").catch((error: RequestError) => error.code);
 * console.assert(unknown === "UNKNOWN_REQUEST");
 * await client.close();
 * await running.close();
 * ```
 */
export interface TypedRouter {
  /** Routes a request to its handler; see {@link createRouter}. */
  readonly onRequest: (request: IncomingRequest) => Promise<ReplyValue>;
  /** Routes a client signal to its handler; see {@link createRouter}. */
  readonly onSignal: (signal: IncomingSignal) => Promise<void>;
}

/**
 * Builds the `onRequest` / `onSignal` hooks for a contract. For each request it finds the
 * handler by name, decodes the payload (binary: the bytes; UTF-8 or UTF-16: JSON, empty for
 * `undefined`), validates it with the contract's payload schema if there is one, calls the
 * handler and sends what it returns (bytes as a binary reply, anything else as JSON in UTF-8,
 * nothing as an empty UTF-8 reply). A contract declared as a type takes JSON only: it cannot
 * tell at run time which payloads are bytes, so a binary payload never reaches its handlers
 * (an empty one is no payload there, `undefined`; with a payload schema, an empty binary payload,
 * what untyped and Go clients send for none, reaches the schema as an empty `Uint8Array`, and
 * where the schema refuses that, as `undefined`: an optional payload gets its default).
 * Error replies:
 *
 * - `UNKNOWN_REQUEST`: no request of that name in the handlers (see `onUnknownRequest`);
 * - `BAD_PAYLOAD`: a text payload that is not valid UTF-8/UTF-16, not JSON, or JSON with a
 *   `"__proto__"` key (see `decodeValue`); or a binary payload to a contract declared as a
 *   type, also warned of through `logger`, once per name;
 * - `INVALID_PAYLOAD`: the schema refused it; the message is a short summary of the issues
 *   (`path: message; ...`, clipped, at most `maxIssueSummary` characters); or a request that
 *   a schema-built contract gives no payload schema came with a payload (it takes none); or
 *   the schema threw instead of returning issues: that is logged through `logger` as the
 *   schema's failure, naming the request (at its 1st, 10th, 100th, ... time per name), and
 *   the client only hears that its payload could not be checked;
 * - a `RequestError` thrown by a handler is sent unchanged; anything else thrown becomes an
 *   internal-error reply (logged on the server, as for any handler).
 *
 * Client signals go the same way, except that what does not fit is dropped (signals have no
 * reply) and reported to `onRejectedSignal`.
 *
 * @throws {TypeError} when a handler is not a function (a class instance's data fields and
 *   getters are not handlers), or, with a contract built from schemas, is not in the contract
 *   or is missing for one of its names.
 * @throws {RangeError} when `maxIssueSummary` is not a number.
 * @example
 * ```ts
 * import { RequestError } from "@webwire/webwire/protocol";
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { defineContract } from "@webwire/webwire/typed";
 * import { createRouter } from "@webwire/webwire/typed";
 *
 * interface Users {
 *   requests: { rename: { payload: { id: number; name: string }; reply: { ok: true } } };
 * }
 * const users = defineContract<Users>();
 * const server = new Server({
 *   sessionsEnabled: false,
 *   ...createRouter(users, {
 *     requests: {
 *       rename: ({ id, name }) => {
 *         if (id !== 1) throw new RequestError("NOT_FOUND", `no user ${id}`);
 *         return { ok: true } as const;
 *       },
 *     },
 *   }),
 * });
 * const running = serveDeno(server);
 * const client = new Client(running.url);
 * const reply = await client.request("rename", JSON.stringify({ id: 1, name: "ada" }));
 * console.assert(reply.text() === '{"ok":true}');
 * const error = await client.request("delete", "1").catch((e: RequestError) => e);
 * console.assert(error instanceof RequestError && error.code === "UNKNOWN_REQUEST");
 * await client.close();
 * await running.close();
 * ```
 */
export function createRouter<C extends Contract & SendableContract<C>>(
  contract: ContractDefinition<C>,
  handlers: RouterHandlers<C>,
  options: RouterOptions = {},
): TypedRouter {
  // A contract built from schemas names its requests and signals: only those are served.
  const schemaBuilt = Object.keys(contract.schemas).length > 0;
  const names = (section: Record<string, unknown> | undefined) =>
    schemaBuilt ? Object.keys(section ?? {}) : undefined;
  const requests = handlerMap(handlers.requests, "requests", names(contract.schemas.requests));
  const signals = handlerMap(
    handlers.clientSignals,
    "clientSignals",
    names(contract.schemas.clientSignals),
  );
  // A request of a schema-built contract without a payload schema takes no payload;
  // without a reply schema, what its handler returns is not sent.
  const requestChecks = new Map<string, PayloadCheck>();
  const noReply = new Set<string>();
  for (const [name, schemas] of Object.entries(contract.schemas.requests ?? {})) {
    requestChecks.set(name, schemas.payload ?? noPayload);
    if (schemas.reply === undefined) noReply.add(name);
  }
  const signalChecks = new Map(Object.entries(contract.schemas.clientSignals ?? {}));
  const reader = new PayloadReader(
    guardedLogger(options.logger ?? console),
    options.maxIssueSummary,
  );

  return {
    onRequest: async (request) => {
      const handler = requests.get(request.name);
      if (handler === undefined) {
        if (options.onUnknownRequest !== undefined) return options.onUnknownRequest(request);
        throw new RequestError(
          TypedErrorCode.UnknownRequest,
          `no request named ${quotedName(request.name)}`,
        );
      }
      const check = requestChecks.get(request.name);
      const value = await reader.read(request.payload, check, "request", request.name);
      // The connection ended while an async schema ran: no handler for a client that is gone
      // (the abort reason says so, and is not logged as a failure).
      request.signal.throwIfAborted();
      const reply = await handler(value, request as IncomingRequest & IncomingSignal);
      // No reply schema: an empty text reply, which every typed client reads as `undefined` (an
      // empty binary one too, but only where the client's contract has no reply schema of bytes).
      return noReply.has(request.name) ? "" : encodeValue(reply);
    },
    onSignal: async (signal) => {
      const handler = signals.get(signal.name);
      let value: unknown;
      try {
        if (handler === undefined) {
          throw new RequestError(
            TypedErrorCode.UnknownSignal,
            `no signal named ${quotedName(signal.name)}`,
          );
        }
        const check = signalChecks.get(signal.name);
        value = await reader.read(signal.payload, check, "signal", signal.name);
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        // Awaited: an async hook's failure is logged as a signal handler's is, never left as
        // an unhandled rejection (which ends a Deno or Node process).
        await options.onRejectedSignal?.(signal, error);
        return;
      }
      await handler(value, signal as IncomingRequest & IncomingSignal);
    },
  };
}
