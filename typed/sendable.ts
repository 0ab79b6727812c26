/**
 * The compile-time side of what `encodeValue` refuses: a contract whose payloads, replies or
 * signals hold a `Date`, a `Map`, a `bigint`, a function and the like fails to type-check where
 * it is used (`defineContract<C>()`, `createRouter`, `TypedClient`, `TypedServer`), instead of
 * throwing a `TypeError` at its first send.
 *
 * @example
 * ```ts
 * import { defineContract } from "@webwire/webwire/typed";
 * interface Calendar {
 *   requests: { next: { reply: { title: string; at: string } } };
 * }
 * const calendar = defineContract<Calendar>();
 * // @ts-expect-error a Date cannot go as JSON: send date.toISOString()
 * defineContract<{ requests: { next: { reply: { at: Date } } } }>();
 * console.assert(calendar.schemas.requests === undefined);
 * ```
 * @module
 */

import type { ContractSection } from "./contract.ts";

/**
 * `T` itself where each of its values can go as a payload; else `T` with a message saying why
 * in place of each value that cannot, so that `T` is not assignable to it and the compiler shows
 * the message. It follows `encodeValue`: a `Uint8Array` as the whole value goes as raw bytes,
 * the rest as JSON ({@link JsonSendable}).
 *
 * @example
 * ```ts
 * import type { Sendable } from "@webwire/webwire/typed";
 * const fine: Sendable<{ tags: readonly string[]; note?: string }> = { tags: ["a"] };
 * const bytes: Sendable<Uint8Array> = new Uint8Array([1]);
 * const at = new Date(0);
 * // @ts-expect-error a Date is not sent as JSON
 * const refused: Sendable<Date> = at;
 * console.assert(fine.tags[0] === "a" && bytes.length === 1 && typeof refused === "object");
 * ```
 */
export type Sendable<T> = T extends Uint8Array ? T : JsonSendable<T>;

/**
 * {@link Sendable} for a value inside JSON: what JSON keeps, `undefined` and optional fields
 * included (JSON leaves them out). Refused at any depth, each with `encodeValue`'s words:
 * `bigint`, `symbol`, a function (a method too: the receiver would get a plain object without
 * it), a `Date`, a `Map`, `Set`, `WeakMap` or `WeakSet`, a `Promise` (or other thenable), and
 * bytes (a `Uint8Array` goes only as the whole payload).
 *
 * Arrays are checked against an index signature, not mapped: the element type is worked out
 * only when compared, so that a recursive union (`type Json = string | Json[]`) is not
 * expanded without end, and the compiler names the element that cannot go.
 *
 * @example
 * ```ts
 * import type { JsonSendable } from "@webwire/webwire/typed";
 * type Tree = { label: string; children: Tree[] };
 * const tree: JsonSendable<Tree> = { label: "root", children: [] };
 * const bytes = new Uint8Array([1]);
 * // @ts-expect-error inside JSON, bytes are refused
 * const refused: JsonSendable<Uint8Array> = bytes;
 * console.assert(tree.label === "root" && typeof refused === "object");
 * ```
 */
export type JsonSendable<T> = T extends string | number | boolean | null | undefined ? T
  : T extends readonly unknown[] ? { readonly [index: number]: JsonSendable<T[number]> }
  : T extends (...args: never) => unknown ? "cannot send a function as JSON: send data, not code"
  : T extends Date
    ? "cannot send a Date as JSON: send date.toISOString() and parse it with a schema"
  : T extends ReadonlyMap<unknown, unknown>
    ? "cannot send a Map as JSON: send an array or a plain object"
  : T extends ReadonlySet<unknown> ? "cannot send a Set as JSON: send an array or a plain object"
  : T extends WeakMap<object, unknown>
    ? "cannot send a WeakMap as JSON: send an array or a plain object"
  : T extends WeakSet<object> ? "cannot send a WeakSet as JSON: send an array or a plain object"
  : T extends PromiseLike<unknown>
    ? "cannot send a Promise as JSON: await it and send what it gives"
  : T extends ArrayBufferView | ArrayBufferLike
    ? "cannot send bytes inside JSON: only a Uint8Array given as the whole payload is sent"
  : T extends object ? { [K in keyof T]: JsonSendable<T[K]> }
  : T extends bigint ? "cannot send a bigint as JSON: send it as a string"
  : T extends symbol ? "cannot send a symbol as JSON: send a string"
  : T;

/**
 * What a contract type must be assignable to for its values to go on the wire: every value one
 * end sends, {@link Sendable}. Those are a request's `payloadInput` (else its `payload`) and its
 * `reply`, a client signal's entry in `clientSignalInputs` (else in `clientSignals`), and each
 * server signal's payload. A `payload` with a `payloadInput` beside it is what a schema made of
 * it on the server, never sent: it may be a `Date`.
 *
 * `defineContract<C>()`, `createRouter`, `TypedClient` and `TypedServer` bound their contract
 * type by it (`C extends Contract & SendableContract<C>`); a function generic over a contract
 * that it passes to them needs the same bound.
 *
 * @example
 * ```ts
 * import type { Contract, SendableContract } from "@webwire/webwire/typed";
 * import { Client } from "@webwire/webwire";
 * import { TypedClient } from "@webwire/webwire/typed";
 * function offline<C extends Contract & SendableContract<C>>(url: string): TypedClient<C> {
 *   return new TypedClient<C>(new Client(url, { autoconnect: false }));
 * }
 * type Dates = { requests: { at: { payload: Date; payloadInput: string; reply: number } } };
 * const api = offline<Dates>("ws://127.0.0.1:1/"); // a schema on the server makes the Date
 * // @ts-expect-error the client would send a Date
 * offline<{ requests: { at: { payload: Date; reply: number } } }>("ws://127.0.0.1:1/");
 * await api.client.close();
 * ```
 */
export type SendableContract<C> = {
  readonly requests?: {
    readonly [N in keyof ContractSection<C, "requests">]: {
      readonly [K in keyof ContractSection<C, "requests">[N]]?: K extends "payload"
        ? "payloadInput" extends keyof ContractSection<C, "requests">[N] ? unknown
        : Sendable<ContractSection<C, "requests">[N][K]>
        : K extends "payloadInput" | "reply" ? Sendable<ContractSection<C, "requests">[N][K]>
        : unknown;
    };
  };
  readonly clientSignals?: {
    readonly [N in keyof ContractSection<C, "clientSignals">]: N extends
      keyof ContractSection<C, "clientSignalInputs"> ? unknown
      : Sendable<ContractSection<C, "clientSignals">[N]>;
  };
  readonly clientSignalInputs?: {
    readonly [N in keyof ContractSection<C, "clientSignalInputs">]: Sendable<
      ContractSection<C, "clientSignalInputs">[N]
    >;
  };
  readonly serverSignals?: {
    readonly [N in keyof ContractSection<C, "serverSignals">]: Sendable<
      ContractSection<C, "serverSignals">[N]
    >;
  };
};
