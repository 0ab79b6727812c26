/**
 * The contract of a typed WebWire API, shared by server and client: which requests exist (with
 * their payload and reply types), which signals clients send and which the server sends.
 * Declare it as a type, or build it from Standard Schemas with {@link defineContract} to get
 * validation at run time and the type inferred.
 *
 * @example
 * ```ts
 * import { defineContract } from "./contract.ts";
 * import type { RequestReply } from "./contract.ts";
 *
 * interface Chat {
 *   requests: {
 *     say: { payload: { text: string }; reply: { id: number } };
 *     history: { reply: string[] };
 *   };
 *   clientSignals: { typing: { room: string } };
 *   serverSignals: { message: { from: string; text: string } };
 * }
 * export const chat = defineContract<Chat>(); // types only, no schemas
 *
 * const reply: RequestReply<Chat, "say"> = { id: 7 };
 * console.assert(reply.id === 7 && chat.schemas.requests === undefined);
 * ```
 * @module
 */

import type { InferSchemaOutput, StandardSchemaV1 } from "./standard_schema.ts";

/**
 * The shape every contract type has. `requests` maps each request name to
 * `{ payload: P; reply: R }` (either may be left out: no payload, no reply value);
 * `clientSignals` and `serverSignals` map each signal name to its payload type. Payloads are
 * JSON on the wire (UTF-8), except where the type is `Uint8Array`: raw bytes (binary).
 *
 * @example
 * ```ts
 * import type { Contract } from "./contract.ts";
 * interface Files extends Contract {
 *   requests: { upload: { payload: Uint8Array; reply: { size: number } } };
 *   serverSignals: { progress: number };
 * }
 * const name: keyof Files["requests"] = "upload";
 * console.assert(name === "upload");
 * ```
 */
export interface Contract {
  /** Request names, each with its `payload` and `reply` types. */
  readonly requests?: object;
  /** Names of the signals clients send, each with its payload type. */
  readonly clientSignals?: object;
  /** Names of the signals the server sends, each with its payload type. */
  readonly serverSignals?: object;
}

/**
 * One section of a contract (`requests`, `clientSignals` or `serverSignals`): its map from
 * names to types, empty when the contract leaves it out.
 *
 * @example
 * ```ts
 * import type { ContractSection } from "./contract.ts";
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
 * import type { FieldOrUndefined } from "./contract.ts";
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
 * import type { RequestName } from "./contract.ts";
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
 * import type { RequestPayload } from "./contract.ts";
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
 * The reply type of a request (`undefined` when the contract gives none).
 *
 * @example
 * ```ts
 * import type { RequestReply } from "./contract.ts";
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
 * import type { ClientSignalName } from "./contract.ts";
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
 * import type { ClientSignalPayload } from "./contract.ts";
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
 * The names of the signals the server sends.
 *
 * @example
 * ```ts
 * import type { ServerSignalName } from "./contract.ts";
 * type Api = { serverSignals: { tick: number } };
 * const name: ServerSignalName<Api> = "tick";
 * console.assert(name === "tick");
 * ```
 */
export type ServerSignalName<C extends Contract> =
  & keyof ContractSection<C, "serverSignals">
  & string;

/**
 * The payload type of a server signal.
 *
 * @example
 * ```ts
 * import type { ServerSignalPayload } from "./contract.ts";
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
 * The arguments after a name: the payload, optional when its type admits `undefined`, then
 * options.
 *
 * @example
 * ```ts
 * import type { PayloadArgs } from "./contract.ts";
 * const none: PayloadArgs<undefined, { timeout?: number }> = [];
 * const some: PayloadArgs<string, { timeout?: number }> = ["hi", { timeout: 5 }];
 * console.assert(none.length === 0 && some.length === 2);
 * ```
 */
export type PayloadArgs<P, Options> = undefined extends P ? [payload?: P, options?: Options]
  : [payload: P, options?: Options];

/**
 * The payload argument after a name, optional when its type admits `undefined`.
 *
 * @example
 * ```ts
 * import type { PayloadArg } from "./contract.ts";
 * const none: PayloadArg<undefined> = [];
 * const some: PayloadArg<number> = [1];
 * console.assert(none.length === 0 && some[0] === 1);
 * ```
 */
export type PayloadArg<P> = undefined extends P ? [payload?: P] : [payload: P];

/**
 * The schemas of one request: `payload` is validated by the server before its handler runs;
 * `reply` only gives the reply type (the server trusts its own handlers).
 *
 * @example
 * ```ts
 * import type { RequestSchemas } from "./contract.ts";
 * import { unchecked } from "./unchecked.ts";
 * const history: RequestSchemas = { reply: unchecked<string[]>() };
 * console.assert(history.payload === undefined);
 * ```
 */
export interface RequestSchemas {
  /** Validates the request payload; without it the request takes no payload. */
  readonly payload?: StandardSchemaV1;
  /** Gives the reply type; without it the reply carries no value. */
  readonly reply?: StandardSchemaV1;
}

/**
 * Standard Schemas per name, from which {@link defineContract} infers a contract type.
 * Client-signal payloads are validated by the server (a failing signal is dropped); server
 * signal schemas only give types.
 *
 * @example
 * ```ts
 * import type { ContractSchemas } from "./contract.ts";
 * import { unchecked } from "./unchecked.ts";
 * const schemas: ContractSchemas = { serverSignals: { tick: unchecked<number>() } };
 * console.assert(schemas.requests === undefined);
 * ```
 */
export interface ContractSchemas {
  /** Per request name, its payload and reply schemas. */
  readonly requests?: { readonly [name: string]: RequestSchemas };
  /** Per client-signal name, its payload schema. */
  readonly clientSignals?: { readonly [name: string]: StandardSchemaV1 };
  /** Per server-signal name, its payload schema. */
  readonly serverSignals?: { readonly [name: string]: StandardSchemaV1 };
}

/**
 * The output type of a schema, or `undefined` where there is no schema.
 *
 * @example
 * ```ts
 * import type { SchemaOutputOr } from "./contract.ts";
 * import type { StandardSchemaV1 } from "./standard_schema.ts";
 * const n: SchemaOutputOr<StandardSchemaV1<string, number>> = 1;
 * const none: SchemaOutputOr<undefined> = undefined;
 * console.assert(n === 1 && none === undefined);
 * ```
 */
export type SchemaOutputOr<S> = S extends StandardSchemaV1 ? InferSchemaOutput<S> : undefined;

/**
 * One section of a {@link ContractSchemas}, empty when left out.
 *
 * @example
 * ```ts
 * import type { SchemaSection } from "./contract.ts";
 * import { unchecked } from "./unchecked.ts";
 * const schemas = { serverSignals: { tick: unchecked<number>() } };
 * const none: SchemaSection<typeof schemas, "requests"> = {};
 * console.assert(Object.keys(none).length === 0);
 * ```
 */
export type SchemaSection<S, K extends keyof ContractSchemas> = S extends
  { readonly [P in K]?: infer T } ? NonNullable<T>
  : Record<never, never>;

/**
 * The contract type of a set of schemas: each payload and reply is its schema's output type
 * (what a handler receives after validation; a client sends values of that type, as JSON).
 *
 * @example
 * ```ts
 * import type { InferContract, RequestReply } from "./contract.ts";
 * import type { StandardSchemaV1 } from "./standard_schema.ts";
 * type Schemas = { requests: { count: { reply: StandardSchemaV1<number> } } };
 * const reply: RequestReply<InferContract<Schemas>, "count"> = 3;
 * console.assert(reply === 3);
 * ```
 */
export type InferContract<S extends ContractSchemas> = {
  readonly requests: {
    readonly [N in keyof SchemaSection<S, "requests">]: {
      readonly payload: SchemaOutputOr<
        FieldOrUndefined<SchemaSection<S, "requests">[N], "payload">
      >;
      readonly reply: SchemaOutputOr<FieldOrUndefined<SchemaSection<S, "requests">[N], "reply">>;
    };
  };
  readonly clientSignals: {
    readonly [N in keyof SchemaSection<S, "clientSignals">]: SchemaOutputOr<
      SchemaSection<S, "clientSignals">[N]
    >;
  };
  readonly serverSignals: {
    readonly [N in keyof SchemaSection<S, "serverSignals">]: SchemaOutputOr<
      SchemaSection<S, "serverSignals">[N]
    >;
  };
};

/**
 * A contract as a value: its schemas (empty for a contract declared as a type) and, at the
 * type level only, the contract type `C`. Made by {@link defineContract}; given to
 * `createRouter`, `TypedServer` and `TypedClient`.
 *
 * @example
 * ```ts
 * import { type ContractDefinition, defineContract } from "./contract.ts";
 * type Api = { serverSignals: { tick: number } };
 * const api: ContractDefinition<Api> = defineContract<Api>();
 * console.assert(Object.keys(api.schemas).length === 0);
 * ```
 */
export interface ContractDefinition<C extends Contract> {
  /** The schemas that validate payloads at run time. */
  readonly schemas: ContractSchemas;
  /** The contract type; never set at run time. */
  readonly types?: C;
}

/**
 * The contract type of a definition: `ContractOf<typeof chat>`.
 *
 * @example
 * ```ts
 * import { type ContractOf, defineContract, type RequestName } from "./contract.ts";
 * const api = defineContract<{ requests: { ping: { reply: string } } }>();
 * const name: RequestName<ContractOf<typeof api>> = "ping";
 * console.assert(name === "ping");
 * ```
 */
export type ContractOf<D extends ContractDefinition<Contract>> = NonNullable<D["types"]>;

/**
 * A contract declared as a type, with no schemas: nothing is validated at run time beyond the
 * JSON being well-formed.
 *
 * @example
 * ```ts
 * import { defineContract } from "./contract.ts";
 * interface Clock {
 *   requests: { now: { reply: number } };
 *   serverSignals: { tick: number };
 * }
 * export const clock = defineContract<Clock>();
 * console.assert(clock.schemas.requests === undefined);
 * ```
 */
export function defineContract<C extends Contract>(): ContractDefinition<C>;
/**
 * A contract built from Standard Schemas (zod, valibot, arktype, or {@link unchecked} for a
 * type without a check); its type is inferred from them. The server validates request and
 * client-signal payloads with them.
 *
 * @example
 * ```ts
 * import { defineContract, type RequestPayload } from "./contract.ts";
 * import type { StandardSchemaV1 } from "./standard_schema.ts";
 * const text: StandardSchemaV1<string> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (v) => typeof v === "string" ? { value: v } : { issues: [{ message: "text" }] },
 *   },
 * };
 * const echo = defineContract({ requests: { echo: { payload: text, reply: text } } });
 * const payload: RequestPayload<NonNullable<typeof echo.types>, "echo"> = "hi";
 * console.assert(echo.schemas.requests?.echo.payload === text && payload === "hi");
 * ```
 */
export function defineContract<S extends ContractSchemas>(
  schemas: S,
): ContractDefinition<InferContract<S>>;
export function defineContract(schemas: ContractSchemas = {}): ContractDefinition<Contract> {
  return { schemas };
}
