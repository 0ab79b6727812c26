/**
 * A typed view of a `Client`: requests and client signals checked against the contract at
 * compile time, replies and server-signal payloads typed and decoded. No code generation: the
 * contract is a type (or a definition built from schemas) shared with the server.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter } from "@webwire/webwire/typed";
 * import { defineContract } from "@webwire/webwire/typed";
 * import { TypedClient } from "@webwire/webwire/typed";
 *
 * type Calculator = { requests: { add: { payload: [number, number]; reply: number } } };
 * const api = defineContract<Calculator>();
 * const router = createRouter(api, { requests: { add: ([a, b]) => a + b } });
 * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
 * const typed = new TypedClient(new Client(running.url), api);
 * const sum = await typed.request("add", [1, 2]); // a number, from the contract
 * console.assert(sum === 3);
 * await typed.client.close();
 * await running.close();
 * ```
 * @module
 */

import type { Client } from "../client/client.ts";
import type { ServerSignal } from "../client/events.ts";
import type { RequestOptions } from "../client/options.ts";
import { guardedLogger } from "../protocol/guarded_logger.ts";
import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";
import type {
  ClientSignalInput,
  ClientSignalName,
  Contract,
  RequestInput,
  RequestName,
  RequestReply,
  ServerSignalName,
  ServerSignalPayload,
} from "./contract.ts";
import type { ContractDefinition } from "./define_contract.ts";
import type { PayloadArg, PayloadArgs } from "./payload_args.ts";
import { EmptyBytesRule } from "./empty_bytes_rule.ts";
import { decodeValue, encodeValue } from "./payload_codec.ts";
import type { SendableContract } from "./sendable.ts";

/**
 * Options of {@link TypedClient.request}: a timeout and an abort signal (the encoding is the
 * typed layer's).
 *
 * @example
 * ```ts
 * import type { TypedRequestOptions } from "@webwire/webwire/typed";
 * const options: TypedRequestOptions = { timeout: 5_000, signal: AbortSignal.timeout(10_000) };
 * console.assert(options.timeout === 5_000);
 * ```
 */
export type TypedRequestOptions = Omit<RequestOptions, "encoding">;

/**
 * A listener of one server signal: its decoded payload, and the signal as received. It may be
 * async: a rejection is logged as a thrown exception is.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { TypedServer } from "@webwire/webwire/typed";
 * import { TypedClient, type TypedSignalListener } from "@webwire/webwire/typed";
 * type Clock = { serverSignals: { tick: number } };
 * const server = new Server({ sessionsEnabled: false });
 * const running = serveDeno(server);
 * const clock = new TypedClient<Clock>(new Client(running.url));
 * const heard = Promise.withResolvers<string>();
 * const onTick: TypedSignalListener<number> = (n, signal) => heard.resolve(`${signal.name} ${n}`);
 * clock.on("tick", onTick);
 * await clock.client.connect();
 * new TypedServer<Clock>(server).broadcast("tick", 42);
 * console.assert((await heard.promise) === "tick 42");
 * await clock.client.close();
 * await running.close();
 * ```
 */
export type TypedSignalListener<P> = (payload: P, signal: ServerSignal) => void;

/**
 * Options of a {@link TypedClient}.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { TypedClient, type TypedClientOptions } from "@webwire/webwire/typed";
 * const warned = Promise.withResolvers<string>();
 * const options: TypedClientOptions = {
 *   logger: { warn: (message) => warned.resolve(message), error: console.error },
 * };
 * const server = new Server({ sessionsEnabled: false });
 * const running = serveDeno(server);
 * type Clock = { serverSignals: { tick: number } };
 * const typed = new TypedClient<Clock>(new Client(running.url), undefined, options);
 * typed.on("tick", () => console.error("not called: the payload is not JSON"));
 * await typed.client.connect();
 * server.broadcast("tick", "{"); // an untyped push that breaks the contract
 * console.assert((await warned.promise) === 'webwire: server signal "tick" dropped:');
 * await typed.client.close();
 * await running.close();
 * ```
 */
export interface TypedClientOptions {
  /**
   * Where a server signal whose payload is not valid JSON (its listeners are not called) and
   * an exception thrown by a listener (or an async listener's rejection) are reported; default
   * `console`.
   */
  logger?: Logger;
}

/**
 * Options of {@link TypedClient.on}.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "@webwire/webwire/typed";
 * const controller = new AbortController();
 * const options: ListenOptions = { signal: controller.signal };
 * controller.abort(); // removes the listener
 * console.assert(options.signal?.aborted === true);
 * ```
 */
export interface ListenOptions {
  /** Removes the listener when aborted. */
  signal?: AbortSignal;
}

/**
 * Wraps a `Client` with the types of a contract. Connecting, sessions, events and closing stay
 * on the wrapped `client`; this adds `request`, `signal` and `on` with checked names and
 * payloads. Payloads go as JSON in UTF-8 (`Uint8Array` as binary, nothing as an empty
 * payload), so that any WebWire server reads them; the typed router takes a binary one only
 * where the contract has a payload schema that takes bytes. An own `"__proto__"` key is refused when sent
 * (`TypeError`) and when received (`BadPayloadError`).
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire";
 * import { RequestError } from "@webwire/webwire/protocol";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 * import { createRouter, defineContract, TypedClient } from "@webwire/webwire/typed";
 *
 * interface Notes {
 *   requests: {
 *     add: { payload: { text: string }; reply: { id: number } };
 *     count: { reply: number };
 *   };
 * }
 * const notes = defineContract<Notes>();
 * const stored: string[] = [];
 * const router = createRouter(notes, {
 *   requests: {
 *     add: ({ text }) => ({ id: stored.push(text) }),
 *     count: () => stored.length,
 *   },
 * });
 * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
 * const api = new TypedClient(new Client(running.url), notes);
 * const { id } = await api.request("add", { text: "buy milk" });
 * console.assert(id === 1);
 * console.assert((await api.request("count")) === 1);
 * const failure = await api.client.request("add", "{").catch((e: RequestError) => e.code);
 * console.assert(failure === "BAD_PAYLOAD");
 * await api.client.close();
 * await running.close();
 * ```
 */
export class TypedClient<C extends Contract & SendableContract<C>> {
  /** The client it wraps. */
  readonly client: Client;
  readonly #logger: Logger;
  /** Server signals dropped as not JSON, per name: logged at the 1st, 10th, 100th, ... */
  readonly #dropped = new Map<string, PowersOfTenLog>();
  /**
   * The signals counted there: their other listeners do not count them again. Weak: a dropped
   * signal's payload (a whole message) is not kept once its listeners have seen it.
   */
  readonly #countedDrops = new WeakSet<ServerSignal>();

  /** Per request name, whether its reply schema takes an empty binary reply as bytes. */
  readonly #replyBytes: EmptyBytesRule;
  /** Per server signal name, whether its schema takes an empty binary payload as bytes. */
  readonly #signalBytes: EmptyBytesRule;

  /**
   * Wraps `client`. The contract definition infers `C`, and its reply schemas say which
   * replies may be empty bytes (see {@link TypedClient.request}); with a contract declared as
   * a type, write `new TypedClient<Chat>(client)`.
   */
  constructor(client: Client, contract?: ContractDefinition<C>, options: TypedClientOptions = {}) {
    this.client = client;
    this.#logger = guardedLogger(options.logger ?? console);
    const { requests, serverSignals } = contract?.schemas ?? {};
    this.#replyBytes = new EmptyBytesRule((name) =>
      requests !== undefined && Object.hasOwn(requests, name) ? requests[name].reply : undefined
    );
    this.#signalBytes = new EmptyBytesRule((name) =>
      serverSignals !== undefined && Object.hasOwn(serverSignals, name)
        ? serverSignals[name]
        : undefined
    );
  }

  /**
   * Sends a request and resolves with its reply, decoded: a binary reply's bytes, an empty
   * text reply (a typed router's for no value) as `undefined`, otherwise the JSON value. An
   * empty binary reply, an untyped or Go server's "no value", is `undefined` too (as a typed
   * router reads an empty binary payload), except for a request whose reply schema in the
   * contract definition takes bytes (`unchecked<Uint8Array>({ bytes: true })`,
   * `v.instance(Uint8Array)`): there it is an empty `Uint8Array`. That schema is asked once,
   * with an empty `Uint8Array`: it takes bytes when it returns no issues and a value other than
   * `undefined`. A contract declared as a type has no schemas to ask: there an empty
   * `Uint8Array` a handler returned arrives as `undefined`. The payload has the type the
   * server's schema accepts ({@link RequestInput}), which may differ from what the handler
   * receives.
   *
   * Rejects as `client.request` does (a `RequestError` with the handler's code, or
   * `UNKNOWN_REQUEST`, `BAD_PAYLOAD`, `INVALID_PAYLOAD` from a typed router), with a
   * `BadPayloadError` when the reply is not JSON (or is JSON with a `"__proto__"` key), or a
   * `TypeError` when the payload cannot be written as JSON.
   *
   * @example
   * ```ts
   * import { Client } from "../client/client.ts";
   * import { Server } from "../server.ts";
   * import { serveDeno } from "../adapters/deno.ts";
   * import { createRouter, defineContract, TypedClient } from "./mod.ts";
   * type Api = { requests: { search: { payload: { q: string }; reply: string[] } } };
   * const api = defineContract<Api>();
   * const titles = ["webwire for TypeScript", "webwire for Go", "other"];
   * const router = createRouter(api, {
   *   requests: { search: ({ q }) => titles.filter((title) => title.startsWith(q)) },
   * });
   * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
   * const typed = new TypedClient(new Client(running.url), api);
   * const found = await typed.request("search", { q: "webwire" }, { timeout: 5_000 });
   * console.assert(found.length === 2 && found[1] === "webwire for Go");
   * await typed.client.close();
   * await running.close();
   * ```
   */
  async request<N extends RequestName<C>>(
    name: N,
    ...[payload, options]: PayloadArgs<RequestInput<C, N>, TypedRequestOptions>
  ): Promise<RequestReply<C, N>> {
    const reply = await this.client.request(name, encodeValue(payload), options);
    if (reply.encoding === "binary" && reply.bytes.length === 0) {
      const bytes = await this.#replyBytes.takesBytes(name);
      return (bytes ? reply.bytes : undefined) as RequestReply<C, N>;
    }
    return decodeValue(reply) as RequestReply<C, N>;
  }

  /**
   * Sends a client signal; its payload has the type the server's schema accepts
   * ({@link ClientSignalInput}).
   *
   * @throws {DisconnectedError} when not connected, and what `client.signal` throws.
   * @example
   * ```ts
   * import { Client } from "../client/client.ts";
   * import { Server } from "../server.ts";
   * import { serveDeno } from "../adapters/deno.ts";
   * import { createRouter, defineContract, TypedClient } from "./mod.ts";
   * const api = defineContract<{ clientSignals: { typing: { room: string } } }>();
   * const heard = Promise.withResolvers<string>();
   * const router = createRouter(api, {
   *   clientSignals: { typing: ({ room }) => heard.resolve(room) },
   * });
   * const running = serveDeno(new Server({ sessionsEnabled: false, ...router }));
   * const typed = new TypedClient(new Client(running.url), api);
   * await typed.client.connect();
   * typed.signal("typing", { room: "lobby" });
   * console.assert((await heard.promise) === "lobby");
   * await typed.client.close();
   * await running.close();
   * ```
   */
  signal<N extends ClientSignalName<C>>(
    name: N,
    ...[payload]: PayloadArg<ClientSignalInput<C, N>>
  ): void {
    this.client.signal(name, encodeValue(payload));
  }

  /**
   * Listens to one server signal by name; the listener gets the decoded payload, read as
   * {@link TypedClient.request} reads a reply: an empty binary payload (an untyped or Go
   * server's signal without one) is `undefined`, unless the contract definition's schema for
   * the signal takes bytes. Where that schema is asynchronous, the first empty payload waits
   * for its answer, and the name's signals after it wait too, to keep their order. A signal
   * whose payload is not JSON is reported to the logger and not passed on; an exception the
   * listener throws, or the rejection of the promise an async listener returns, is logged.
   *
   * @returns a function that removes the listener.
   * @example
   * ```ts
   * import { Client } from "../client/client.ts";
   * import { TypedClient } from "./typed_client.ts";
   * type Api = { serverSignals: { message: { from: string; text: string } } };
   * const api = new TypedClient<Api>(new Client("ws://127.0.0.1:1/", { autoconnect: false }));
   * const stop = api.on("message", ({ from, text }) => console.log(`${from}: ${text}`));
   * stop();
   * await api.client.close();
   * ```
   */
  on<N extends ServerSignalName<C>>(
    name: N,
    listener: TypedSignalListener<ServerSignalPayload<C, N>>,
    options: ListenOptions = {},
  ): () => void {
    // From the first empty binary signal an asynchronous schema has yet to read, the name's
    // signals wait for its answer, in order (in every listener, which keep the order they were
    // added in); before it none waits: a schema that answers late or never holds back no payload.
    let waiting: ServerSignal[] | undefined;
    const onSignal = (event: { detail: ServerSignal }): void => {
      const signal = event.detail;
      if (signal.name !== name) return;
      if (waiting !== undefined) {
        waiting.push(signal);
        return;
      }
      const { encoding, bytes } = signal.payload;
      const answer = encoding === "binary" && bytes.length === 0
        ? this.#signalBytes.takesBytes(name)
        : this.#signalBytes.answering(name) ?? false;
      if (typeof answer === "boolean") {
        deliver(signal);
        return;
      }
      const queue: ServerSignal[] = waiting = [signal];
      void answer.then(() => {
        for (const queued of queue) deliver(queued); // sees those pushed meanwhile too
        waiting = undefined;
      });
    };
    const deliver = (signal: ServerSignal): void => {
      if (options.signal?.aborted || removed) return;
      const { encoding, bytes } = signal.payload;
      let payload: unknown;
      try {
        payload = encoding === "binary" && bytes.length === 0
          ? (this.#signalBytes.takesBytes(name) === true ? bytes : undefined)
          : decodeValue(signal.payload);
      } catch (error) {
        this.#reportDropped(signal, error);
        return;
      }
      // As with the client's own callbacks: a listener's failure is logged, not thrown; an
      // async listener's rejection too (else it would be an unhandled rejection).
      const failed = (error: unknown): void =>
        this.#logger.error(`webwire: listener of server signal ${JSON.stringify(name)}:`, error);
      try {
        const result: unknown = listener(payload as ServerSignalPayload<C, N>, signal);
        if (isThenable(result)) result.then(undefined, failed);
      } catch (error) {
        failed(error);
      }
    };
    let removed = false;
    this.client.addEventListener("signal", onSignal, { signal: options.signal });
    return () => {
      removed = true;
      this.client.removeEventListener("signal", onSignal);
    };
  }

  /** Logs a server signal dropped as not JSON: once per signal, at most 1st, 10th, ... per name. */
  #reportDropped(signal: ServerSignal, error: unknown): void {
    if (this.#countedDrops.has(signal)) return; // another listener of its name saw it first
    this.#countedDrops.add(signal);
    let dropped = this.#dropped.get(signal.name);
    if (dropped === undefined) this.#dropped.set(signal.name, dropped = new PowersOfTenLog());
    if (!dropped.tally()) return;
    const count = dropped.count === 1 ? "" : ` (${dropped.count} so far)`;
    this.#logger.warn(
      `webwire: server signal ${JSON.stringify(signal.name)} dropped${count}:`,
      error,
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
