/**
 * Fast construction of the decoded messages a server and a client see most: requests, signals
 * and replies. The objects are the same as `new RequestMessage(...)` makes (same prototype, so
 * `instanceof`, getters and `constructor` are unchanged; the same own properties in the same
 * order), but built by one plain constructor function instead of a chain of `super()` calls,
 * which V8 and JavaScriptCore do not make as cheap: a three-level chain cost Deno about 11 ns
 * and Bun about 6 ns per message (see `bench/README.md`). Internal: not exported by `mod.ts`.
 *
 * @example
 * ```ts
 * import { newSignalMessage } from "./message_construct.ts";
 * import { SignalMessage } from "./message.ts";
 * const m = newSignalMessage(new Uint8Array([63, 0, 7]), 2);
 * console.assert(m instanceof SignalMessage && m.kind === "signal" && m.payload[0] === 7);
 * ```
 * @module
 */

import { ReplyMessage, RequestMessage, SignalMessage } from "./message.ts";

interface Fields<K> {
  bytes: Uint8Array;
  kind: K;
  payloadOffset: number;
}

function FlatRequest(this: Fields<"request">, bytes: Uint8Array, payloadOffset: number): void {
  this.bytes = bytes;
  this.kind = "request";
  this.payloadOffset = payloadOffset;
}
FlatRequest.prototype = RequestMessage.prototype;

function FlatSignal(this: Fields<"signal">, bytes: Uint8Array, payloadOffset: number): void {
  this.bytes = bytes;
  this.kind = "signal";
  this.payloadOffset = payloadOffset;
}
FlatSignal.prototype = SignalMessage.prototype;

function FlatReply(this: Omit<Fields<"reply">, "payloadOffset">, bytes: Uint8Array): void {
  this.bytes = bytes;
  this.kind = "reply";
}
FlatReply.prototype = ReplyMessage.prototype;

const RequestConstructor = FlatRequest as unknown as new (
  bytes: Uint8Array,
  payloadOffset: number,
) => RequestMessage;
const SignalConstructor = FlatSignal as unknown as new (
  bytes: Uint8Array,
  payloadOffset: number,
) => SignalMessage;
const ReplyConstructor = FlatReply as unknown as new (bytes: Uint8Array) => ReplyMessage;

/**
 * A {@link RequestMessage} of already validated bytes, as `new RequestMessage(bytes, offset)`.
 *
 * @example
 * ```ts
 * import { newRequestMessage } from "./message_construct.ts";
 * const m = newRequestMessage(new Uint8Array([127, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x71]), 11);
 * console.assert(m.nameText === "q" && m.id[0] === 1);
 * ```
 */
export function newRequestMessage(bytes: Uint8Array, payloadOffset: number): RequestMessage {
  return new RequestConstructor(bytes, payloadOffset);
}

/**
 * A {@link SignalMessage} of already validated bytes, as `new SignalMessage(bytes, offset)`.
 *
 * @example
 * ```ts
 * import { newSignalMessage } from "./message_construct.ts";
 * const m = newSignalMessage(new Uint8Array([64, 1, 0x61, 0x62]), 3);
 * console.assert(m.nameText === "a" && m.payload[0] === 0x62);
 * ```
 */
export function newSignalMessage(bytes: Uint8Array, payloadOffset: number): SignalMessage {
  return new SignalConstructor(bytes, payloadOffset);
}

/**
 * A {@link ReplyMessage} of already validated bytes, as `new ReplyMessage(bytes)`.
 *
 * @example
 * ```ts
 * import { newReplyMessage } from "./message_construct.ts";
 * const m = newReplyMessage(new Uint8Array([191, 1, 0, 0, 0, 0, 0, 0, 0, 5]));
 * console.assert(m.kind === "reply" && m.payload[0] === 5);
 * ```
 */
export function newReplyMessage(bytes: Uint8Array): ReplyMessage {
  return new ReplyConstructor(bytes);
}
