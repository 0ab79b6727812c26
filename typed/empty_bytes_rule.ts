/**
 * How the typed client reads an empty binary payload, an untyped or Go server's "no value":
 * as `undefined`, unless the contract's schema for that name takes bytes (then an empty
 * `Uint8Array`). The schema is asked once per name, with an empty `Uint8Array`; an asynchronous
 * one that has not answered within {@link emptyBytesAnswerLimit} ms takes nothing until it does,
 * so that a schema that never answers holds a reply or the name's signals for a second, not for
 * good.
 *
 * @example
 * ```ts
 * import { EmptyBytesRule } from "./empty_bytes_rule.ts";
 * import { unchecked } from "./unchecked.ts";
 * const schemas = { file: unchecked<Uint8Array>({ bytes: true }), count: unchecked<number>() };
 * const rule = new EmptyBytesRule((name) => schemas[name as keyof typeof schemas]);
 * console.assert(rule.takesBytes("file") === true);
 * console.assert(rule.takesBytes("count") === false); // JSON: an empty payload is no value
 * console.assert(rule.takesBytes("other") === false); // no schema
 * ```
 * @module
 */

import type { StandardSchemaV1, StandardSchemaV1Result } from "./standard_schema.ts";

/**
 * How long (ms) an asynchronous schema may take to say whether it takes an empty `Uint8Array`;
 * past it, the payload is "no value" (`undefined`), as for a schema that throws.
 *
 * @example
 * ```ts
 * import { emptyBytesAnswerLimit } from "./empty_bytes_rule.ts";
 * console.assert(emptyBytesAnswerLimit === 1000);
 * ```
 */
export const emptyBytesAnswerLimit = 1000;

/**
 * Per name, whether its schema takes an empty `Uint8Array` as a value (bytes), not as no value.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { EmptyBytesRule } from "./empty_bytes_rule.ts";
 * const rule = new EmptyBytesRule((name) => name === "raw" ? v.instance(Uint8Array) : undefined);
 * console.assert(rule.takesBytes("raw") === true);
 * console.assert(rule.takesBytes("json") === false);
 * ```
 */
export class EmptyBytesRule {
  readonly #schemaOf: (name: string) => StandardSchemaV1 | undefined;
  /** Answers per name with a schema (the contract's names: a bounded set). */
  readonly #answers = new Map<string, boolean | Promise<boolean>>();

  /** `schemaOf` gives the schema of a name's payload, if the contract has one. */
  constructor(schemaOf: (name: string) => StandardSchemaV1 | undefined) {
    this.#schemaOf = schemaOf;
  }

  /**
   * Whether `name`'s schema takes an empty `Uint8Array` as bytes: `false` without a schema or
   * when it throws, or while an asynchronous one has not answered after
   * {@link emptyBytesAnswerLimit} ms; a promise only during those first ms.
   */
  takesBytes(name: string): boolean | Promise<boolean> {
    const known = this.#answers.get(name);
    if (known !== undefined) return known;
    const schema = this.#schemaOf(name);
    if (schema === undefined) return false;
    const answer = ask(schema);
    if (typeof answer === "boolean") {
      this.#answers.set(name, answer);
      return answer;
    }
    const waited = withinLimit(answer);
    this.#answers.set(name, waited);
    // Past the limit, no bytes until the schema's own answer comes; that one is kept.
    void waited.then((bytes) => {
      if (this.#answers.get(name) === waited) this.#answers.set(name, bytes);
    });
    void answer.then((bytes) => this.#answers.set(name, bytes));
    return waited;
  }

  /** The answer `name`'s asynchronous schema has yet to give, once asked; else `undefined`. */
  answering(name: string): Promise<boolean> | undefined {
    const known = this.#answers.get(name);
    return typeof known === "object" ? known : undefined;
  }
}

/** Asks `schema` about an empty `Uint8Array`: at once where it answers at once. */
function ask(schema: StandardSchemaV1): boolean | Promise<boolean> {
  try {
    const result = schema["~standard"].validate(new Uint8Array(0));
    if (!("then" in result)) return takes(result);
    // Never rejects: a rejection, or a result `takes` cannot read, takes nothing as a throw does
    // (a rejected answer would leave the signals waiting for it held for good).
    return Promise.resolve(result).then(takes).catch(() => false);
  } catch {
    // A schema that throws takes nothing: the payload is "no value", as without a schema.
    return false;
  }
}

/**
 * `answer`, or `false` once {@link emptyBytesAnswerLimit} ms passed without it. The timer is
 * not unref'd (the browser bundles take nothing of the server's): a schema that never answers
 * keeps a process that is otherwise done for at most that long.
 */
function withinLimit(answer: Promise<boolean>): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const late = setTimeout(() => resolve(false), emptyBytesAnswerLimit);
    void answer.then((bytes) => {
      clearTimeout(late);
      resolve(bytes);
    });
  });
}

function takes(result: StandardSchemaV1Result<unknown>): boolean {
  return result.issues === undefined && result.value !== undefined;
}
