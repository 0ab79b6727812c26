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
