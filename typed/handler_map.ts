/**
 * The handlers a router serves, by name: taken from a section of the handlers object (its own
 * functions and the methods of its class; a class's data fields and accessors are not handlers),
 * checked against the names a contract built from schemas gives. Internal to the typed layer.
 *
 * @example
 * ```ts
 * import { handlerMap } from "./handler_map.ts";
 * class Requests {
 *   add([a, b]: [number, number]) {
 *     return a + b;
 *   }
 * }
 * const handlers = handlerMap(new Requests(), "requests", ["add"]);
 * console.assert(handlers.has("add"));
 * let refused = false;
 * try {
 *   handlerMap({ add: () => 0, reset: () => 0 }, "requests", ["add"]);
 * } catch {
 *   refused = true; // reset would be served without a schema
 * }
 * console.assert(refused);
 * ```
 * @module
 */

import type { IncomingRequest, IncomingSignal } from "../server.ts";

/** A request or signal handler as the router calls it. */
export type HandlerFunction = (
  payload: unknown,
  incoming: IncomingRequest & IncomingSignal,
) => unknown;

/**
 * The handlers of one section by name, bound to the section (methods of a class instance
 * included). With the contract's `names`, a handler of another name is a `TypeError` (it would
 * be served without a schema), and so is a name without a handler (a client would be told the
 * contract has no such name).
 *
 * @example
 * ```ts
 * import { handlerMap } from "./handler_map.ts";
 * const handlers = handlerMap({ ping: () => "pong" }, "requests", undefined);
 * console.assert(handlers.get("ping") !== undefined);
 * ```
 */
export function handlerMap(
  section: object | undefined,
  label: string,
  names: readonly string[] | undefined,
): Map<string, HandlerFunction> {
  const map = new Map<string, HandlerFunction>();
  const found = section === undefined ? [] : handlerNames(section);
  for (const name of found) {
    if (names !== undefined && !names.includes(name)) {
      throw new TypeError(`${label}.${name} is not in the contract: it would take any payload`);
    }
  }
  for (const name of names ?? found) {
    // Only a name found above: `toString` or `constructor` would be Object's own.
    const handler = section === undefined || !found.includes(name)
      ? undefined
      : dataValue(section, name);
    if (handler === undefined && names !== undefined) {
      throw new TypeError(
        `${label}.${name} has no handler: the contract names it (a getter, or a method of a ` +
          "built-in class such as Object, is not one)",
      );
    }
    if (typeof handler !== "function") {
      throw new TypeError(`the handler of ${label}.${name} is not a function`);
    }
    map.set(name, (handler as HandlerFunction).bind(section));
  }
  return map;
}

/**
 * The handler names of `section`: every own key of a plain object (or one without prototype,
 * such as a module namespace); of a class instance, its own keys that hold functions
 * (arrow-function fields) and the methods of its class and of the classes it extends, up to
 * the first built-in one (`Object`, `EventTarget`, `Map`, ...), whose methods no client may call.
 * Fields that hold data (a database the methods use) and accessors are not handlers: an
 * accessor is never called.
 */
function handlerNames(section: object): string[] {
  const prototype = Object.getPrototypeOf(section);
  const plain = prototype === Object.prototype || prototype === null;
  const names = new Set(
    Object.keys(section).filter((name) => plain || typeof dataValue(section, name) === "function"),
  );
  for (
    let proto = prototype;
    proto !== null && !isBuiltIn(proto);
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (name !== "constructor" && typeof method === "function") names.add(name);
    }
  }
  return [...names];
}

/** The value of `object`'s data property `name` (own or inherited); an accessor's is not read. */
function dataValue(object: object, name: string): unknown {
  for (let at: object | null = object; at !== null; at = Object.getPrototypeOf(at)) {
    const descriptor = Object.getOwnPropertyDescriptor(at, name);
    if (descriptor !== undefined) return "value" in descriptor ? descriptor.value : undefined;
  }
  return undefined;
}

/**
 * Whether `prototype` is the runtime's own: its constructor is native code, or a global of the
 * runtime (Deno writes `EventTarget` in JavaScript).
 */
function isBuiltIn(prototype: object): boolean {
  const constructor = Object.getOwnPropertyDescriptor(prototype, "constructor")?.value;
  if (typeof constructor !== "function") return false;
  const global = (globalThis as Record<string, unknown>)[constructor.name];
  return global === constructor ||
    /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(constructor));
}
