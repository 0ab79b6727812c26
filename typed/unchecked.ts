/**
 * A schema that only carries a type: for names in a schema-built contract that need no
 * validation at run time (replies, server signals, trusted payloads).
 *
 * @example
 * ```ts
 * import { unchecked } from "@webwire/webwire/typed";
 * const schema = unchecked<{ id: number }>();
 * const result = await schema["~standard"].validate({ id: 1 });
 * console.assert(result.issues === undefined);
 * ```
 * @module
 */

import type { StandardSchemaV1 } from "./standard_schema.ts";

const accept: StandardSchemaV1<unknown> = {
  "~standard": { version: 1, vendor: "webwire", validate: (value) => ({ value }) },
};

/**
 * A Standard Schema of type `T` that accepts every value as it is. It gives a contract built
 * from schemas the type of a payload or reply without checking it at run time: use it where
 * the sender is trusted (the server's own replies and signals) or where a handler checks the
 * value itself.
 *
 * @example
 * ```ts
 * import { defineContract } from "@webwire/webwire/typed";
 * import { unchecked } from "@webwire/webwire/typed";
 * interface Message {
 *   from: string;
 *   text: string;
 * }
 * const chat = defineContract({
 *   requests: { history: { reply: unchecked<Message[]>() } },
 *   serverSignals: { message: unchecked<Message>() },
 * });
 * console.assert(chat.schemas.serverSignals?.message !== undefined);
 * ```
 */
export function unchecked<T>(): StandardSchemaV1<T> {
  return accept as StandardSchemaV1<T>;
}
