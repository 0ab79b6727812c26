/**
 * A contract as a value, shared by server and client: {@link defineContract} makes one from a
 * contract type (types only) or from Standard Schemas (validated at run time, type inferred);
 * `createRouter`, `TypedServer` and `TypedClient` take it.
 *
 * @example
 * ```ts
 * import type { RequestReply } from "@webwire/webwire/typed";
 * import { type ContractOf, defineContract } from "@webwire/webwire/typed";
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
 * const reply: RequestReply<ContractOf<typeof chat>, "say"> = { id: 7 };
 * console.assert(reply.id === 7 && chat.schemas.requests === undefined);
 * ```
 * @module
 */

import { assertPrintableAscii } from "../protocol/text.ts";
import type { Contract } from "./contract.ts";
import type { ContractSchemas, InferContract } from "./contract_schemas.ts";
import { quotedName } from "./quoted_name.ts";
import type { SendableContract } from "./sendable.ts";

/**
 * A contract as a value: its schemas (empty for a contract declared as a type) and, at the
 * type level only, the contract type `C`. Made by {@link defineContract}; given to
 * `createRouter`, `TypedServer` and `TypedClient`.
 *
 * @example
 * ```ts
 * import { type ContractDefinition, defineContract } from "@webwire/webwire/typed";
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
 * import type { RequestName } from "@webwire/webwire/typed";
 * import { type ContractOf, defineContract } from "@webwire/webwire/typed";
 * const api = defineContract<{ requests: { ping: { reply: string } } }>();
 * const name: RequestName<ContractOf<typeof api>> = "ping";
 * console.assert(name === "ping");
 * ```
 */
export type ContractOf<D extends ContractDefinition<Contract>> = NonNullable<D["types"]>;

/**
 * A contract declared as a type, with no schemas: nothing is validated at run time beyond the
 * JSON being well-formed. Its requests and client signals take JSON only: a binary payload is
 * refused with `BAD_PAYLOAD` (nothing at run time says which payloads the type makes bytes),
 * so a request that takes bytes needs a payload schema (`v.instance(Uint8Array)` in valibot).
 *
 * @example
 * ```ts
 * import { defineContract } from "@webwire/webwire/typed";
 * interface Clock {
 *   requests: { now: { reply: number } };
 *   serverSignals: { tick: number };
 * }
 * export const clock = defineContract<Clock>();
 * console.assert(clock.schemas.requests === undefined);
 * ```
 */
export function defineContract<C extends Contract & SendableContract<C>>(): ContractDefinition<C>;
/**
 * A contract built from Standard Schemas (zod, valibot, arktype, or {@link unchecked} for a
 * type without a check); its type is inferred from them. The server validates request and
 * client-signal payloads with them.
 *
 * @throws {TypeError} when a schema given is no Standard Schema (zod before 3.24, say), a key
 *   is none of the contract's (`requests`, `clientSignals`, `serverSignals`; a request's
 *   `payload` and `reply`), such as `replies`, a schema is given as a whole request, or a
 *   section or a request is no object (`requests: null`, a number, an array): each would leave
 *   a payload unchecked, a reply unsent or a request unknown without a word.
 * @throws {RangeError} for a name the wire cannot carry: more than 255 bytes, or a character
 *   that is not printable ASCII (no client or server could send it).
 *
 * @example
 * ```ts
 * import type { RequestPayload } from "@webwire/webwire/typed";
 * import { defineContract } from "@webwire/webwire/typed";
 * import type { StandardSchemaV1 } from "@webwire/webwire/typed";
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
  checkKeys(schemas, ["requests", "clientSignals", "serverSignals"], "the contract");
  const requests = sectionEntries(schemas.requests, "requests", "{ payload, reply }");
  for (const [name, request] of requests) {
    checkName(name, "requests");
    checkKeys(request, ["payload", "reply"], `requests.${name}`);
    checkSchema(request.payload, `requests.${name}.payload`);
    checkSchema(request.reply, `requests.${name}.reply`);
  }
  for (const section of ["clientSignals", "serverSignals"] as const) {
    for (const [name, schema] of sectionEntries(schemas[section], section, "schema")) {
      checkName(name, section);
      checkSchema(schema, `${section}.${name}`);
    }
  }
  return { schemas };
}

/**
 * The entries of a section of the contract (`requests`, `clientSignals`, `serverSignals`),
 * none when it is left out. Throws for a section that is no object of names (`null`, a number,
 * an array, a schema): it would otherwise read as empty, and every request or signal it was
 * meant to declare be refused as unknown at run time.
 */
function sectionEntries<T>(
  section: Record<string, T> | undefined,
  where: string,
  entry: string,
): [string, T][] {
  if (section === undefined) return [];
  const value: unknown = section;
  if (typeof value !== "object" || value === null || Array.isArray(value) || isSchema(value)) {
    throw new TypeError(`${where} is ${kindOf(value)}: give { [name]: ${entry} }, or leave it out`);
  }
  return Object.entries(section);
}

/** Whether `value` is a Standard Schema (or looks like one). Some are functions (arktype's). */
function isSchema(value: unknown): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    "~standard" in value;
}

/** What `value` is, for a message: `null`, `an array`, `a schema`, `a number`, ... */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return isSchema(value) ? "a schema" : `a ${typeof value}`;
}

/**
 * Throws for a name that is not 0 to 255 bytes of printable ASCII (PROTOCOL.md): its requests
 * or signals would otherwise fail at their first send, its handler never called.
 */
function checkName(name: string, section: string): void {
  assertPrintableAscii(name, `${section} name ${quotedName(name)}`);
}

/**
 * Throws unless `value` is an object whose own keys are all `known`: a misspelt key (`replies`)
 * or a schema given where an object of them belongs would otherwise be ignored.
 */
function checkKeys(value: unknown, known: readonly string[], where: string): void {
  if (isSchema(value)) {
    throw new TypeError(`${where} is a schema: give { ${known.join(", ")} } instead`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} is not an object of ${known.join(", ")}`);
  }
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new TypeError(
      `${where} has a key ${quotedName(unknown)} it does not know: it takes ${known.join(", ")}`,
    );
  }
}

/**
 * Throws for a schema that is there and is no Standard Schema (zod before 3.24, say), which
 * would otherwise refuse every payload with `INVALID_PAYLOAD` once requests arrive.
 */
function checkSchema(schema: unknown, where: string): void {
  if (schema === undefined) return;
  const props = (schema as { "~standard"?: { validate?: unknown } } | null)?.["~standard"];
  if (typeof props?.validate === "function") return;
  throw new TypeError(
    `${where} is not a Standard Schema (no "~standard".validate): use zod 3.24 or later, ` +
      "valibot 1, arktype 2, or unchecked<T>()",
  );
}
