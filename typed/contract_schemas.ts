/**
 * Contracts built from Standard Schemas: the schemas of each request and signal, and the
 * contract type inferred from them ({@link InferContract}). `defineContract(schemas)` takes a
 * {@link ContractSchemas}.
 *
 * @example
 * ```ts
 * import type { RequestPayload } from "@webwire/webwire/typed";
 * import type { ContractSchemas, InferContract } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
 *
 * const schemas = {
 *   requests: { rename: { payload: unchecked<{ name: string }>(), reply: unchecked<boolean>() } },
 * } satisfies ContractSchemas;
 * const payload: RequestPayload<InferContract<typeof schemas>, "rename"> = { name: "ada" };
 * console.assert(payload.name === "ada");
 * ```
 * @module
 */

import type { FieldOrUndefined } from "./contract.ts";
import type { InferSchemaInput, InferSchemaOutput, StandardSchemaV1 } from "./standard_schema.ts";

/**
 * The schemas of one request: `payload` is validated by the server before its handler runs
 * (the client sends its input type, the handler receives its output type); `reply` only gives
 * the reply type, its input type on both ends (nothing runs it: the server trusts its own
 * handlers).
 *
 * @example
 * ```ts
 * import type { RequestSchemas } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
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
 * Client-signal payloads are validated by the server (a failing signal is dropped: the client
 * sends the schema's input type, the handler receives its output type); server signal schemas
 * only give types (their input type, on both ends).
 *
 * @example
 * ```ts
 * import type { ContractSchemas } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
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
 * import type { SchemaOutputOr } from "@webwire/webwire/typed";
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
 * const n: SchemaOutputOr<StandardSchemaV1<string, number>> = 1;
 * const none: SchemaOutputOr<undefined> = undefined;
 * console.assert(n === 1 && none === undefined);
 * ```
 */
export type SchemaOutputOr<S> = S extends StandardSchemaV1 ? InferSchemaOutput<S> : undefined;

/**
 * The input type of a schema (what it accepts), or `undefined` where there is no schema.
 *
 * @example
 * ```ts
 * import type { SchemaInputOr } from "@webwire/webwire/typed";
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
 * const text: SchemaInputOr<StandardSchemaV1<string, number>> = "1";
 * const none: SchemaInputOr<undefined> = undefined;
 * console.assert(text === "1" && none === undefined);
 * ```
 */
export type SchemaInputOr<S> = S extends StandardSchemaV1 ? InferSchemaInput<S> : undefined;

/**
 * One section of a {@link ContractSchemas}, empty when left out.
 *
 * @example
 * ```ts
 * import type { SchemaSection } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
 * const schemas = { serverSignals: { tick: unchecked<number>() } };
 * const none: SchemaSection<typeof schemas, "requests"> = {};
 * console.assert(Object.keys(none).length === 0);
 * ```
 */
export type SchemaSection<S, K extends keyof ContractSchemas> = S extends
  { readonly [P in K]?: infer T } ? NonNullable<T>
  : Record<never, never>;

/**
 * The contract type of a set of schemas, typed as the values are where each end sees them. A
 * schema the server runs (request and client-signal payloads) has two types: a client sends
 * its input type (`payloadInput`, `clientSignalInputs`) and the handler receives its output
 * type (`payload`, `clientSignals`), so a schema may parse a string into a `Date` or fill in a
 * default. A schema nothing runs (replies, server signals) gives its input type to both ends.
 *
 * @example
 * ```ts
 * import type { RequestInput, RequestPayload, RequestReply } from "@webwire/webwire/typed";
 * import type { InferContract } from "@webwire/webwire/typed";
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
 * type Schemas = {
 *   requests: {
 *     at: { payload: StandardSchemaV1<string, Date>; reply: StandardSchemaV1<number> };
 *   };
 * };
 * type Api = InferContract<Schemas>;
 * const sent: RequestInput<Api, "at"> = "2030-01-01T00:00:00Z"; // the client sends text
 * const received: RequestPayload<Api, "at"> = new Date(sent); // the handler gets a Date
 * const reply: RequestReply<Api, "at"> = received.getTime();
 * console.assert(reply === Date.UTC(2030, 0, 1));
 * ```
 */
export type InferContract<S extends ContractSchemas> = {
  readonly requests: {
    readonly [N in keyof SchemaSection<S, "requests">]: {
      readonly payload: SchemaOutputOr<
        FieldOrUndefined<SchemaSection<S, "requests">[N], "payload">
      >;
      readonly payloadInput: SchemaInputOr<
        FieldOrUndefined<SchemaSection<S, "requests">[N], "payload">
      >;
      readonly reply: SchemaInputOr<FieldOrUndefined<SchemaSection<S, "requests">[N], "reply">>;
    };
  };
  readonly clientSignals: {
    readonly [N in keyof SchemaSection<S, "clientSignals">]: SchemaOutputOr<
      SchemaSection<S, "clientSignals">[N]
    >;
  };
  readonly clientSignalInputs: {
    readonly [N in keyof SchemaSection<S, "clientSignals">]: SchemaInputOr<
      SchemaSection<S, "clientSignals">[N]
    >;
  };
  readonly serverSignals: {
    readonly [N in keyof SchemaSection<S, "serverSignals">]: SchemaInputOr<
      SchemaSection<S, "serverSignals">[N]
    >;
  };
};
