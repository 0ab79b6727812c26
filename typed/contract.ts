/**
 * The contract of a typed WebWire API, shared by server and client: which requests exist (with
 * their payload and reply types), which signals clients send and which the server sends, and
 * the types read from it (request names, payloads, replies). Declare it as a type, or build it
 * from Standard Schemas with `defineContract` (`./define_contract.ts`) to get validation at run
 * time and the type inferred.
 *
 * @example
 * ```ts
 * import type { Contract, RequestName, RequestReply } from "@webwire/webwire/typed";
 *
 * interface Chat extends Contract {
 *   requests: {
 *     say: { payload: { text: string }; reply: { id: number } };
 *     history: { reply: string[] };
 *   };
 *   clientSignals: { typing: { room: string } };
 *   serverSignals: { message: { from: string; text: string } };
 * }
 *
 * const name: RequestName<Chat> = "say";
 * const reply: RequestReply<Chat, "say"> = { id: 7 };
 * console.assert(name === "say" && reply.id === 7);
 * ```
 * @module
 */

import type { PayloadForEach } from "./payload_args.ts";

/**
 * The shape every contract type has. `requests` maps each request name to
 * `{ payload: P; reply: R }` (either may be left out: no payload, no reply value);
 * `clientSignals` and `serverSignals` map each signal name to its payload type. Payloads are
 * JSON on the wire (UTF-8), except where the type is `Uint8Array`: raw bytes (binary). A
 * router takes bytes in a request or client signal only where a payload schema says so (one
 * declared as a type cannot tell at run time, and refuses binary payloads); replies and
 * server signals carry bytes either way.
 *
 * Where the server's schema turns what a client sends into something else (a string parsed
 * into a `Date`, a default filled in), the two types differ: a request may then give
 * `payloadInput` (what the client sends; `payload` is what the handler receives), and
 * `clientSignalInputs` maps a client signal's name to what the client sends. Left out, the
 * client sends the handler's type. A contract inferred from schemas sets both. Declared in a
 * type, they type only the client of a server that converts with schemas: a router made from
 * that type has no schema to convert with, and its handler gets what the client sent.
 *
 * @example
 * ```ts
 * import type { Contract } from "@webwire/webwire/typed";
 * interface Files extends Contract {
 *   requests: { download: { payload: { path: string }; reply: Uint8Array } };
 *   serverSignals: { progress: number };
 * }
 * const name: keyof Files["requests"] = "download";
 * console.assert(name === "download");
 * ```
 */
export interface Contract {
  /** Request names, each with its `payload` and `reply` types. */
  readonly requests?: object;
  /** Names of the signals clients send, each with its payload type. */
  readonly clientSignals?: object;
  /** Names of client signals whose sent payload type is not the handler's, with that type. */
  readonly clientSignalInputs?: object;
  /** Names of the signals the server sends, each with its payload type. */
  readonly serverSignals?: object;
}

/**
 * One section of a contract (`requests`, `clientSignals` or `serverSignals`): its map from
 * names to types, empty when the contract leaves it out.
 *
 * @example
 * ```ts
 * import type { ContractSection } from "@webwire/webwire/typed";
 * type Api = { serverSignals: { tick: number } };
 * const ticks: ContractSection<Api, "serverSignals"> = { tick: 1 };
 * const none: ContractSection<Api, "clientSignals"> = {};
 * console.assert(ticks.tick === 1 && Object.keys(none).length === 0);
 * ```
 */
export type ContractSection<C, K extends keyof Contract> = C extends { readonly [P in K]?: infer S }
  ? NonNullable<S>
  : Record<never, never>;

/**
 * The type of field `K` of `T`, or `undefined` when `T` has no such field (a request without
 * `payload` or `reply`).
 *
 * @example
 * ```ts
 * import type { FieldOrUndefined } from "@webwire/webwire/typed";
 * const none: FieldOrUndefined<{ reply: number }, "payload"> = undefined;
 * const reply: FieldOrUndefined<{ reply: number }, "reply"> = 1;
 * console.assert(none === undefined && reply === 1);
 * ```
 */
export type FieldOrUndefined<T, K extends string> = K extends keyof T ? T[K] : undefined;

/**
 * The request names of a contract.
 *
 * @example
 * ```ts
 * import type { RequestName } from "@webwire/webwire/typed";
 * type Api = { requests: { ping: { reply: "pong" } } };
 * const name: RequestName<Api> = "ping";
 * console.assert(name === "ping");
 * ```
 */
export type RequestName<C extends Contract> = keyof ContractSection<C, "requests"> & string;

/**
 * The payload type of a request (`undefined` when the contract gives none).
 *
 * @example
 * ```ts
 * import type { RequestPayload } from "@webwire/webwire/typed";
 * type Api = { requests: { add: { payload: [number, number]; reply: number } } };
 * const payload: RequestPayload<Api, "add"> = [1, 2];
 * console.assert(payload.length === 2);
 * ```
 */
export type RequestPayload<C extends Contract, N extends RequestName<C>> = FieldOrUndefined<
  ContractSection<C, "requests">[N],
  "payload"
>;

/**
 * The payload type a client sends with a request: its `payloadInput` where the contract gives
 * one (a schema that parses what it receives into another type), else its
 * {@link RequestPayload}. For a union of names (one known only at run time), a payload that
 * every one of them takes: the intersection of theirs ({@link PayloadForEach}).
 *
 * @example
 * ```ts
 * import type { RequestInput, RequestPayload } from "@webwire/webwire/typed";
 * type Api = { requests: { at: { payload: Date; payloadInput: string; reply: number } } };
 * const sent: RequestInput<Api, "at"> = "2030-01-01T00:00:00Z";
 * const received: RequestPayload<Api, "at"> = new Date(sent);
 * console.assert(received.getUTCFullYear() === 2030);
 * ```
 */
export type RequestInput<C extends Contract, N extends RequestName<C>> = PayloadForEach<
  N extends unknown ? [
      "payloadInput" extends keyof ContractSection<C, "requests">[N]
        ? FieldOrUndefined<ContractSection<C, "requests">[N], "payloadInput">
        : RequestPayload<C, N>,
    ]
    : never
>;

/**
 * The reply type of a request (`undefined` when the contract gives none).
 *
 * @example
 * ```ts
 * import type { RequestReply } from "@webwire/webwire/typed";
 * type Api = { requests: { add: { payload: [number, number]; reply: number } } };
 * const reply: RequestReply<Api, "add"> = 3;
 * console.assert(reply === 3);
 * ```
 */
export type RequestReply<C extends Contract, N extends RequestName<C>> = FieldOrUndefined<
  ContractSection<C, "requests">[N],
  "reply"
>;

/**
 * The names of the signals clients send.
 *
 * @example
 * ```ts
 * import type { ClientSignalName } from "@webwire/webwire/typed";
 * type Api = { clientSignals: { typing: string } };
 * const name: ClientSignalName<Api> = "typing";
 * console.assert(name === "typing");
 * ```
 */
export type ClientSignalName<C extends Contract> =
  & keyof ContractSection<C, "clientSignals">
  & string;

/**
 * The payload type of a client signal.
 *
 * @example
 * ```ts
 * import type { ClientSignalPayload } from "@webwire/webwire/typed";
 * type Api = { clientSignals: { typing: { room: string } } };
 * const payload: ClientSignalPayload<Api, "typing"> = { room: "lobby" };
 * console.assert(payload.room === "lobby");
 * ```
 */
export type ClientSignalPayload<C extends Contract, N extends ClientSignalName<C>> =
  ContractSection<
    C,
    "clientSignals"
  >[N];

/**
 * The payload type a client sends with a client signal: its entry in `clientSignalInputs`
 * where the contract has one, else its {@link ClientSignalPayload}. For a union of names, a
 * payload that every one of them takes ({@link PayloadForEach}).
 *
 * @example
 * ```ts
 * import type { ClientSignalInput, ClientSignalPayload } from "@webwire/webwire/typed";
 * type Api = {
 *   clientSignals: { seen: number; typing: string };
 *   clientSignalInputs: { seen: string };
 * };
 * const sent: ClientSignalInput<Api, "seen"> = "41";
 * const received: ClientSignalPayload<Api, "seen"> = Number(sent) + 1;
 * const typing: ClientSignalInput<Api, "typing"> = "lobby";
 * console.assert(received === 42 && typing === "lobby");
 * ```
 */
export type ClientSignalInput<C extends Contract, N extends ClientSignalName<C>> = PayloadForEach<
  N extends keyof ContractSection<C, "clientSignalInputs">
    ? [ContractSection<C, "clientSignalInputs">[N]]
    : N extends unknown ? [ClientSignalPayload<C, N>]
    : never
>;

/**
 * The names of the signals the server sends.
 *
 * @example
 * ```ts
 * import type { ServerSignalName } from "@webwire/webwire/typed";
 * type Api = { serverSignals: { tick: number } };
 * const name: ServerSignalName<Api> = "tick";
 * console.assert(name === "tick");
 * ```
 */
export type ServerSignalName<C extends Contract> =
  & keyof ContractSection<C, "serverSignals">
  & string;

/**
 * The payload type of a server signal: what a listener of it receives (for a union of names,
 * any of theirs). What the server sends is its {@link ServerSignalInput}.
 *
 * @example
 * ```ts
 * import type { ServerSignalPayload } from "@webwire/webwire/typed";
 * type Api = { serverSignals: { tick: number } };
 * const payload: ServerSignalPayload<Api, "tick"> = 1;
 * console.assert(payload === 1);
 * ```
 */
export type ServerSignalPayload<C extends Contract, N extends ServerSignalName<C>> =
  ContractSection<
    C,
    "serverSignals"
  >[N];

/**
 * The payload type the server sends with a server signal: its {@link ServerSignalPayload};
 * for a union of names (one known only at run time), a payload that every one of them takes
 * ({@link PayloadForEach}), so that no listener gets another signal's payload.
 *
 * @example
 * ```ts
 * import type { ServerSignalInput } from "@webwire/webwire/typed";
 * type Api = { serverSignals: { moved: { x: number }; resized: { w: number } } };
 * const one: ServerSignalInput<Api, "moved"> = { x: 1 };
 * const either: ServerSignalInput<Api, "moved" | "resized"> = { x: 1, w: 2 };
 * console.assert(one.x === either.x);
 * ```
 */
export type ServerSignalInput<C extends Contract, N extends ServerSignalName<C>> = PayloadForEach<
  N extends unknown ? [ServerSignalPayload<C, N>] : never
>;
