/**
 * A schema that only carries a type: for names in a schema-built contract that need no
 * validation at run time (replies, server signals, trusted payloads). It checks one thing, the
 * one no type can: that a JSON value did not arrive as raw bytes.
 *
 * @example
 * ```ts
 * import { unchecked } from "@webwire/webwire/typed";
 * const schema = unchecked<{ id: number }>();
 * const result = await schema["~standard"].validate({ id: 1 });
 * console.assert(result.issues === undefined);
 * const bytes = await schema["~standard"].validate(new Uint8Array([1]));
 * console.assert(bytes.issues?.[0].message === "expected JSON, got raw bytes");
 * ```
 * @module
 */

import type { StandardSchemaV1, StandardSchemaV1Result } from "./standard_schema.ts";

/**
 * Options of {@link unchecked}.
 *
 * @example
 * ```ts
 * import { unchecked, type UncheckedOptions } from "@webwire/webwire/typed";
 * const options: UncheckedOptions = { bytes: true };
 * const avatar = unchecked<Uint8Array>(options);
 * const result = await avatar["~standard"].validate(new Uint8Array([1, 2]));
 * console.assert(result.issues === undefined);
 * ```
 */
export interface UncheckedOptions {
  /**
   * Lets a binary payload through as its bytes (a `Uint8Array`, an empty one included), for a
   * name whose contract carries bytes. Default `false`: the value is JSON, so a non-empty
   * `Uint8Array` is an issue (a router answers `INVALID_PAYLOAD`) and an empty one, an untyped
   * client's default payload, is no payload (`undefined`), as for a contract declared as a type.
   */
  readonly bytes?: boolean;
}

const bytesIssue = { message: "expected JSON, got raw bytes" };

/** Every value as it is (bytes too). */
const acceptAll: StandardSchemaV1<unknown> = {
  "~standard": { version: 1, vendor: "webwire", validate: (value) => ({ value }) },
};

/** Every value as it is, except bytes: where JSON is due, they break the type. */
const acceptJson: StandardSchemaV1<unknown> = {
  "~standard": {
    version: 1,
    vendor: "webwire",
    validate: (value): StandardSchemaV1Result<unknown> => {
      if (!(value instanceof Uint8Array)) return { value };
      return value.length === 0 ? { value: undefined } : { issues: [bytesIssue] };
    },
  },
};

/**
 * A Standard Schema of type `T` that accepts every JSON value as it is. It gives a contract
 * built from schemas the type of a payload or reply without checking it at run time: use it
 * where the sender is trusted (the server's own replies and signals) or where a handler checks
 * the value itself. A binary payload is no JSON value: a non-empty one is an issue (the router
 * answers `INVALID_PAYLOAD`, so a handler typed `T` never gets a `Uint8Array`), an empty one
 * reads as `undefined` (no payload). For a name that carries bytes, see the other overload.
 *
 * @example
 * ```ts
 * import { defineContract } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
 * interface Message {
 *   from: string;
 *   text: string;
 * }
 * const message = unchecked<Message>();
 * const chat = defineContract({
 *   requests: { post: { payload: message }, history: { reply: unchecked<Message[]>() } },
 *   serverSignals: { message },
 * });
 * console.assert(chat.schemas.requests?.post.payload === message);
 * // Raw bytes are no Message: a router answers INVALID_PAYLOAD and calls no handler.
 * const bytes = await message["~standard"].validate(new Uint8Array([1]));
 * console.assert(bytes.issues?.[0].message === "expected JSON, got raw bytes");
 * ```
 */
export function unchecked<T>(options?: { readonly bytes?: false }): StandardSchemaV1<T>;
/**
 * `unchecked<T>({ bytes: true })`: a Standard Schema that accepts every value as it is, bytes
 * included, typed `T | Uint8Array` (a binary payload arrives as its bytes). For a name that
 * carries bytes: `unchecked<Uint8Array>({ bytes: true })`. As a reply schema it also tells a
 * `TypedClient` that an empty binary reply is an empty `Uint8Array`, not "no value".
 *
 * @example
 * ```ts
 * import { defineContract, unchecked } from "@webwire/webwire/typed";
 * const bytes = unchecked<Uint8Array>({ bytes: true });
 * const files = defineContract({
 *   requests: {
 *     upload: { payload: bytes, reply: unchecked<number>() },
 *     download: { payload: unchecked<string>(), reply: bytes },
 *   },
 * });
 * const result = await bytes["~standard"].validate(new Uint8Array([1, 2, 3]));
 * console.assert(result.issues === undefined && files.schemas.requests?.upload.payload === bytes);
 * ```
 */
export function unchecked<T>(options: UncheckedOptions): StandardSchemaV1<T | Uint8Array>;
export function unchecked<T>(options: UncheckedOptions = {}): StandardSchemaV1<T> {
  return (options.bytes === true ? acceptAll : acceptJson) as StandardSchemaV1<T>;
}
