/**
 * How the typed layer puts values on the wire and takes them off: `Uint8Array` as binary
 * payloads, `undefined` as an empty UTF-8 payload, everything else as JSON in UTF-8 (what JSON
 * would silently change, such as a `Date` or an `ArrayBuffer`, is refused). Reading,
 * a binary payload is its bytes and a text payload (UTF-8 or UTF-16) is JSON, empty meaning
 * `undefined`; JSON with a `"__proto__"` key is refused, the same on every runtime.
 *
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { decodeValue, encodeValue } from "@webwire/webwire/typed";
 * const wire = encodeValue({ text: "hi" });
 * console.assert(wire === '{"text":"hi"}');
 * const back = decodeValue(Payload.from(wire)) as { text: string };
 * console.assert(back.text === "hi");
 * ```
 * @module
 */

import type { Payload } from "../protocol/payload.ts";
import { BadPayloadError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf16 = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true });

/**
 * The wire form of a value: the bytes of a `Uint8Array` (sent as a binary payload), `""` for
 * `undefined` (an empty UTF-8 payload), otherwise its JSON text (sent as UTF-8).
 *
 * What JSON would change or drop without a word is refused instead, anywhere in the value: a
 * `Date` (it would arrive as a string: send `date.toISOString()` and let a schema parse it), a
 * `Map`, `Set`, `WeakMap` or `WeakSet` (they would arrive as `{}`), a `Promise` or other
 * thenable (`{}` too: one not awaited), a `Blob`, an `ArrayBuffer` or typed array other than a
 * whole-payload `Uint8Array` (raw bytes go alone, as the payload), a function, a symbol and a
 * `BigInt`, whether found in the value or returned by a `toJSON`, and an own `"__proto__"`
 * key (receivers refuse it: see {@link decodeValue}). Otherwise JSON's rules apply:
 * `undefined` fields are left out (in an array it becomes `null`), `NaN` and `Infinity` become
 * `null`, an object's `toJSON` is used (one that returns `undefined` for the whole value gives
 * `""`).
 *
 * @throws {TypeError} when the value cannot be written as JSON as it is (see above; a cycle).
 * @example
 * ```ts
 * import { encodeValue } from "@webwire/webwire/typed";
 * console.assert(encodeValue([1, 2]) === "[1,2]");
 * console.assert(encodeValue(undefined) === "");
 * console.assert(encodeValue(new Uint8Array([7])) instanceof Uint8Array);
 * let refused = "";
 * try {
 *   encodeValue({ at: new Date(0) }); // would arrive as a string, typed as a Date
 * } catch (error) {
 *   refused = (error as TypeError).message;
 * }
 * console.assert(refused.startsWith('cannot send a Date as JSON (at key "at")'));
 * console.assert(encodeValue({ at: new Date(0).toISOString() }) === '{"at":"1970-01-01T00:00:00.000Z"}');
 * ```
 */
export function encodeValue(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array) return value;
  if (value === undefined) return "";
  // A replacer runs for every key and primitive (5 to 40 times slower than JSON.stringify
  // alone), so a walk that looks only for what could be refused or has a `toJSON` sends the
  // common value to JSON.stringify alone; the rest goes through the replacer, which names it.
  const plain = typeof value === "object"
    ? value === null || isPlainJson(value, 0)
    : !isRefusedPrimitive(value);
  // `?? ""`: a `toJSON` that returns `undefined` leaves nothing to send, an empty payload.
  return (plain ? JSON.stringify(value) : JSON.stringify(value, refuseLossy)) ?? "";
}

/**
 * Deeper than this the walk leaves the value to the replacer, whose `JSON.stringify` detects
 * cycles: the walk keeps no set of ancestors, so a cycle costs it this many steps, not forever.
 */
const maxWalkDepth = 64;

/**
 * Whether plain `JSON.stringify` writes `value` as the replacer would: nothing refused in it
 * and no `toJSON` to call (the replacer's run calls each once and checks what it returns).
 * `false` also for nesting deeper than {@linkcode maxWalkDepth}, which may be a cycle.
 */
function isPlainJson(value: object, depth: number): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === "function" || depth >= maxWalkDepth) {
    return false;
  }
  if (Array.isArray(value)) {
    for (let index = 0, length = value.length; index < length; index++) {
      if (!isPlainItem(value[index], depth)) return false;
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null && refusedObject(value) !== undefined) {
    return false;
  }
  // `for...in` is the fastest way through the keys on both engines. The inherited enumerable
  // keys it adds, which JSON leaves out, can only send a value to the replacer, never refuse it.
  for (const key in value) {
    // An own `"__proto__"` key goes to the replacer, which refuses it.
    if (key === "__proto__" || !isPlainItem((value as Record<string, unknown>)[key], depth)) {
      return false;
    }
  }
  return true;
}

/** {@link isPlainJson} for an element or field of a value at `depth`. */
function isPlainItem(item: unknown, depth: number): boolean {
  const kind = typeof item;
  // The common kinds first: a typeof compare is all a number or a string costs.
  if (kind === "number" || kind === "string" || kind === "boolean") return true;
  if (kind === "object") return item === null || isPlainJson(item as object, depth + 1);
  return kind === "undefined";
}

function isRefusedPrimitive(value: unknown): boolean {
  const kind = typeof value;
  return kind === "function" || kind === "symbol" || kind === "bigint";
}

/**
 * A `JSON.stringify` replacer that throws on values JSON would silently change or drop: both
 * the value as found (a Date, before its `toJSON` made it a string) and what a `toJSON`
 * returned (a Date there would be written as `{}`).
 */
function refuseLossy(this: unknown, key: string, value: unknown): unknown {
  if (key === "__proto__") {
    // Only own keys come here: one a receiver refuses (see `decodeValue`), so not sent either.
    throw new TypeError('cannot send a "__proto__" key as JSON: receivers refuse it (rename it)');
  }
  const original = (this as Record<string, unknown>)[key];
  let refused = refusal(original);
  if (refused === undefined && value !== original) {
    refused = refusal(value);
    if (refused !== undefined) refused = [`${refused[0]} returned by toJSON`, refused[1]];
  }
  if (refused !== undefined) throw lossError(refused[0], key, refused[1]);
  return value;
}

function refusal(value: unknown): [what: string, hint: string] | undefined {
  const kind = typeof value;
  if (kind === "object") return value === null ? undefined : refusedObject(value as object);
  if (kind === "function" || kind === "symbol" || kind === "bigint") return refusedPrimitive(kind);
  return undefined;
}

function refusedPrimitive(kind: "function" | "symbol" | "bigint"): [what: string, hint: string] {
  return kind === "function"
    ? ["a function", "send data, not code"]
    : kind === "symbol"
    ? ["a symbol", "send a string"]
    : ["a BigInt", "send it as a string"];
}

function refusedObject(value: object): [what: string, hint: string] | undefined {
  if (value instanceof Date) {
    return ["a Date", "send date.toISOString() and parse it with a schema"];
  }
  if (value instanceof Map || value instanceof Set) {
    return [`a ${value.constructor.name}`, "send an array or a plain object"];
  }
  const maybe = value as { then?: unknown; toJSON?: unknown };
  // One with a `toJSON` is written as it says, not as `{}`.
  if (typeof maybe.then === "function" && typeof maybe.toJSON !== "function") {
    return [
      value instanceof Promise ? "a Promise" : "a thenable",
      "await it and send what it gives",
    ];
  }
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return [`a ${value.constructor.name}`, "send an array or a plain object"];
  }
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    return ["a Blob", "send await blob.bytes() as the whole payload"];
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return [
      `a${/^[AEIO]/.test(value.constructor.name) ? "n" : ""} ${value.constructor.name}`,
      "only a Uint8Array given as the whole payload is sent, as raw bytes",
    ];
  }
  if (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) {
    return ["a SharedArrayBuffer", "only a Uint8Array given as the whole payload is sent"];
  }
  return undefined;
}

function lossError(what: string, key: string, hint: string): TypeError {
  const where = key === "" ? "" : ` (at key ${JSON.stringify(key)})`;
  return new TypeError(`cannot send ${what} as JSON${where}: ${hint}`);
}

/**
 * The value a payload carries: a binary payload's bytes (a view, not a copy), `undefined`
 * for an empty text payload, else the text parsed as JSON.
 *
 * JSON with a `"__proto__"` key, at any depth, is refused. `JSON.parse` keeps it as an own
 * data property, but what code does with it differs between runtimes: `Object.assign` or a
 * merge that copies it sets the target's prototype on Node and Bun, an own property on Deno.
 * Other keys (`constructor`, `prototype`) are data like any other, the same everywhere.
 *
 * @throws {BadPayloadError} when a UTF-8 or UTF-16 payload is not valid text or not JSON, or
 * has a `"__proto__"` key.
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { BadPayloadError, decodeValue } from "@webwire/webwire/typed";
 * console.assert(decodeValue(Payload.from("42")) === 42);
 * console.assert(decodeValue(Payload.from("", "utf16")) === undefined);
 * console.assert(decodeValue(Payload.from(new Uint8Array([1]))) instanceof Uint8Array);
 * let refused = false;
 * try {
 *   decodeValue(Payload.from('{"__proto__":{"admin":true}}'));
 * } catch (error) {
 *   refused = error instanceof BadPayloadError;
 * }
 * console.assert(refused);
 * ```
 */
export function decodeValue(payload: Payload): unknown {
  if (payload.encoding === "binary") return payload.bytes;
  if (payload.bytes.length === 0) return undefined;
  let text: string;
  try {
    text = (payload.encoding === "utf16" ? utf16 : utf8).decode(payload.bytes);
  } catch {
    throw new BadPayloadError(`the payload is not valid ${payload.encoding} text`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message can quote the input: keep it out of what a client is told.
    const size = text.length === 1 ? "1 character" : `${text.length} characters`;
    throw new BadPayloadError(`the payload is not JSON (${size})`);
  }
  // Only text that spells the key or escapes a character (`\u005f_proto__`) can hold it: the
  // common payload costs two searches of its text, not a walk of the value.
  if ((text.includes("__proto__") || text.includes("\\u")) && hasProtoKey(value)) {
    throw new BadPayloadError(
      'the payload has a "__proto__" key (refused: copying it can set an object\'s prototype)',
    );
  }
  return value;
}

/**
 * Whether an object in a parsed JSON value has an own `"__proto__"` key. A loop, not recursion:
 * JSON nested deeper than the call stack allows is still parsed.
 */
function hasProtoKey(value: unknown): boolean {
  const pending: object[] = [];
  if (typeof value === "object" && value !== null) pending.push(value);
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (!Array.isArray(item) && Object.hasOwn(item, "__proto__")) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return false;
}
