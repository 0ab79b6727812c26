/**
 * What a value is, in a few words, for error messages about values of the wrong type.
 *
 * @example
 * ```ts
 * import { valueKind } from "./value_kind.ts";
 * console.assert(valueKind({ a: 1 }) === "an object (Object)");
 * ```
 * @module
 */

/**
 * Names the type of `value`: `null`, `undefined`, `a number`, `an object (Map)`, ...: the
 * constructor's name for objects, so that an `ArrayBuffer`, a `Uint16Array` or a `Promise`
 * given where bytes were expected says so.
 *
 * @example
 * ```ts
 * import { valueKind } from "./value_kind.ts";
 * console.assert(valueKind(5) === "a number");
 * console.assert(valueKind(new ArrayBuffer(2)) === "an object (ArrayBuffer)");
 * console.assert(valueKind(null) === "null");
 * ```
 */
export function valueKind(value: unknown): string {
  if (value === null) return "null";
  const type = typeof value;
  if (type === "undefined") return "undefined";
  if (type !== "object") return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
  const constructor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof constructor?.name === "string" && constructor.name !== ""
    ? constructor.name
    : "without a prototype";
  return `an object (${name})`;
}

const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
)!.get!;

/**
 * Whether `value` is a `Uint8Array` (a `Buffer` or another subclass too), also one made in
 * another realm (an iframe, `node:vm`), which `instanceof Uint8Array` does not recognize.
 *
 * @example
 * ```ts
 * import { isUint8Array } from "./value_kind.ts";
 * console.assert(isUint8Array(new Uint8Array(1)) && !isUint8Array(new Uint16Array(1)));
 * ```
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && typedArrayTag.call(value) === "Uint8Array");
}

/**
 * Names a value given where a number was expected: the number itself, a string quoted (so that
 * `"5000"` does not read as a valid number), else {@link valueKind}.
 *
 * @example
 * ```ts
 * import { givenNumber } from "./value_kind.ts";
 * console.assert(givenNumber(-1) === "-1");
 * console.assert(givenNumber("5000") === 'a string "5000"');
 * ```
 */
export function givenNumber(value: unknown): string {
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? `a string ${JSON.stringify(value)}` : valueKind(value);
}
