/**
 * The argument lists that follow a name in the typed calls (`request`, `signal`, `broadcast`,
 * ...): the payload, optional when its type admits `undefined`, and, for some calls, options.
 *
 * @example
 * ```ts
 * import type { PayloadArg, PayloadArgs } from "@webwire/webwire/typed";
 * function send<P>(name: string, ...[payload]: PayloadArg<P>): string {
 *   return payload === undefined ? name : `${name}: ${JSON.stringify(payload)}`;
 * }
 * const call = (...args: PayloadArgs<number, { timeout?: number }>) => args.length;
 * console.assert(send<undefined>("ping") === "ping" && call(1, { timeout: 5 }) === 2);
 * ```
 * @module
 */

/**
 * The arguments after a name: the payload, optional when its type admits `undefined`, then
 * options.
 *
 * @example
 * ```ts
 * import type { PayloadArgs } from "@webwire/webwire/typed";
 * const none: PayloadArgs<undefined, { timeout?: number }> = [];
 * const some: PayloadArgs<string, { timeout?: number }> = ["hi", { timeout: 5 }];
 * console.assert(none.length === 0 && some.length === 2);
 * ```
 */
export type PayloadArgs<P, Options> = undefined extends P ? [payload?: P, options?: Options]
  : [payload: P, options?: Options];

/**
 * The payload argument after a name, optional when its type admits `undefined`.
 *
 * @example
 * ```ts
 * import type { PayloadArg } from "@webwire/webwire/typed";
 * const none: PayloadArg<undefined> = [];
 * const some: PayloadArg<number> = [1];
 * console.assert(none.length === 0 && some[0] === 1);
 * ```
 */
export type PayloadArg<P> = undefined extends P ? [payload?: P] : [payload: P];

/**
 * The payload a call may send under a name known only at run time (a union of names): one
 * that every name takes, the intersection of their payload types, so that a payload of one
 * name never reaches the handler or listener of another. `T` holds one single-element tuple
 * per name (`[P1] | [P2]`), so that a payload type that is itself a union stays whole; for
 * one name it is that name's payload type.
 *
 * @example
 * ```ts
 * import type { PayloadForEach } from "@webwire/webwire/typed";
 * const one: PayloadForEach<[string | number]> = 7;
 * const both: PayloadForEach<[{ x: number }] | [{ y: number }]> = { x: 1, y: 2 };
 * console.assert(one === 7 && both.x + both.y === 3);
 * ```
 */
export type PayloadForEach<T extends [unknown]> =
  (T extends unknown ? (each: T) => void : never) extends
    (each: infer All extends [unknown]) => void ? All[0]
    : never;
