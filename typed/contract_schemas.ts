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
import type { InferSchemaOutput, StandardSchemaV1 } from "./standard_schema.ts";

/**
 * The schemas of one request: `payload` is validated by the server before its handler runs;
 * `reply` only gives the reply type (the server trusts its own handlers).
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
 * Client-signal payloads are validated by the server (a failing signal is dropped); server
 * signal schemas only give types.
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
 * The contract type of a set of schemas: each payload and reply is its schema's output type
 * (what a handler receives after validation; a client sends values of that type, as JSON).
 *
 * @example
 * ```ts
 * import type { RequestReply } from "@webwire/webwire/typed";
 * import type { InferContract } from "@webwire/webwire/typed";
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
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
