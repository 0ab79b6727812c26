/**
 * The Standard Schema interface (v1), declared here so that any schema library implementing it
 * (zod, valibot, arktype, ...) plugs into the typed layer without this library depending on one.
 * Only the types are declared; they match the published spec structurally.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
 * const positive: StandardSchemaV1<number> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (value) =>
 *       typeof value === "number" && value > 0
 *         ? { value }
 *         : { issues: [{ message: "expected a positive number" }] },
 *   },
 * };
 * const result = await positive["~standard"].validate(-1);
 * console.assert(result.issues?.[0].message === "expected a positive number");
 * ```
 * @module
 */

/**
 * A schema in the Standard Schema v1 sense: anything with a `~standard` property.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
 * const anyText: StandardSchemaV1<string> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (value) =>
 *       typeof value === "string" ? { value } : { issues: [{ message: "not text" }] },
 *   },
 * };
 * console.assert(anyText["~standard"].version === 1);
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The standard properties. */
  readonly "~standard": StandardSchemaV1Props<Input, Output>;
}

/**
 * The properties under `~standard`.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Props } from "@webwire/webwire/typed";
 * const props: StandardSchemaV1Props<unknown> = {
 *   version: 1,
 *   vendor: "example",
 *   validate: (value) => ({ value }),
 * };
 * console.assert(props.vendor === "example");
 * ```
 */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version of the Standard Schema spec: 1. */
  readonly version: 1;
  /** The library that made the schema. */
  readonly vendor: string;
  /** Validates an unknown value: its (possibly transformed) value, or the issues found. */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  /** Carries the input and output types for inference; never set at run time. */
  readonly types?: StandardSchemaV1Types<Input, Output> | undefined;
}

/**
 * The outcome of `validate`: a success with the value, or a failure with issues.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Result } from "@webwire/webwire/typed";
 * const ok: StandardSchemaV1Result<number> = { value: 1 };
 * console.assert(ok.issues === undefined);
 * ```
 */
export type StandardSchemaV1Result<Output> =
  | StandardSchemaV1Success<Output>
  | StandardSchemaV1Failure;

/**
 * A successful validation.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Success } from "@webwire/webwire/typed";
 * const ok: StandardSchemaV1Success<string> = { value: "hi" };
 * console.assert(ok.value === "hi");
 * ```
 */
export interface StandardSchemaV1Success<Output> {
  /** The validated value (the schema's output). */
  readonly value: Output;
  /** Absent on success. */
  readonly issues?: undefined;
}

/**
 * A failed validation.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Failure } from "@webwire/webwire/typed";
 * const failed: StandardSchemaV1Failure = { issues: [{ message: "too long", path: ["text"] }] };
 * console.assert(failed.issues.length === 1);
 * ```
 */
export interface StandardSchemaV1Failure {
  /** What failed, one issue per problem. */
  readonly issues: ReadonlyArray<StandardSchemaV1Issue>;
}

/**
 * One problem a schema found.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Issue } from "@webwire/webwire/typed";
 * const issue: StandardSchemaV1Issue = { message: "expected a number", path: ["items", 0] };
 * console.assert(issue.path?.length === 2);
 * ```
 */
export interface StandardSchemaV1Issue {
  /** What is wrong. */
  readonly message: string;
  /** Where: keys (or segments holding a key) from the root of the value. */
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaV1PathSegment> | undefined;
}

/**
 * A path segment given as an object.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1PathSegment } from "@webwire/webwire/typed";
 * const segment: StandardSchemaV1PathSegment = { key: "user" };
 * console.assert(segment.key === "user");
 * ```
 */
export interface StandardSchemaV1PathSegment {
  /** The key of this segment. */
  readonly key: PropertyKey;
}

/**
 * The input and output types of a schema (type-level only).
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Types } from "@webwire/webwire/typed";
 * type Parsed = StandardSchemaV1Types<string, Date>["output"];
 * const when: Parsed = new Date(0);
 * console.assert(when.getTime() === 0);
 * ```
 */
export interface StandardSchemaV1Types<Input = unknown, Output = Input> {
  /** What the schema accepts. */
  readonly input: Input;
  /** What validation produces. */
  readonly output: Output;
}

/**
 * The output type of a schema: what a handler receives after validation.
 *
 * @example
 * ```ts
 * import type { InferSchemaOutput, StandardSchemaV1 } from "@webwire/webwire/typed";
 * type Out = InferSchemaOutput<StandardSchemaV1<string, number>>;
 * const n: Out = 42;
 * console.assert(n === 42);
 * ```
 */
export type InferSchemaOutput<Schema extends StandardSchemaV1> = NonNullable<
  Schema["~standard"]["types"]
>["output"];

/**
 * The input type of a schema.
 *
 * @example
 * ```ts
 * import type { InferSchemaInput, StandardSchemaV1 } from "@webwire/webwire/typed";
 * type In = InferSchemaInput<StandardSchemaV1<string, number>>;
 * const s: In = "42";
 * console.assert(s === "42");
 * ```
 */
export type InferSchemaInput<Schema extends StandardSchemaV1> = NonNullable<
  Schema["~standard"]["types"]
>["input"];
