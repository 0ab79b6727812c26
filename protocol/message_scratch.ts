/**
 * One buffer reused for every outgoing message, for a server's socket whose `send` has copied
 * the bytes when it returns (Deno's `WebSocket.send`). On Deno a new `Uint8Array` costs 0.4 to
 * 2 µs (more for larger arrays) and adds to the garbage collector's work, while a view of this
 * buffer costs a few tens of ns (see `bench/README.md`, "Where the time goes").
 *
 * Every message written here overwrites the one before, so a message must be sent, and never
 * kept, before the next is encoded: only the server core's reply and `connection.signal` paths
 * use it, and only for sockets that declare `copiesOnSend`. The bytes are not zeroed first: the
 * writers in `payload_message_writer.ts` write every byte of a message. A view's `.buffer` holds
 * other messages: never hand one to a user.
 *
 * @example
 * ```ts
 * import { scratchBuffer } from "./message_scratch.ts";
 * const a = scratchBuffer(3);
 * const b = scratchBuffer(5);
 * console.assert(a.buffer === b.buffer && a.byteOffset === b.byteOffset);
 * ```
 * @module
 */

/**
 * Messages larger than this get an array of their own: for them allocating costs less than
 * copying, and a larger buffer would stay allocated for good.
 */
export const maxScratchMessageSize = 64 * 1024;

/**
 * Views of the buffer's start are kept for sizes up to this: the same `subarray(0, size)` is
 * asked for again and again (a server's replies are often of a few sizes), and a view costs 40
 * to 100 ns on Bun, more than encoding a small reply. At most this many views (~100 bytes each).
 */
const maxCachedViewSize = 4096 + 64;

let scratch: Uint8Array | undefined;
let views: (Uint8Array | undefined)[] = [];

/**
 * `size` bytes for an outgoing message, their content undefined: the start of the shared
 * buffer when the message is at most {@link maxScratchMessageSize} bytes, else a new array.
 * Its `target` and `offset` parameters are ignored: they let the encoders take it in place of
 * `messageBuffer`.
 *
 * @example
 * ```ts
 * import { scratchBuffer } from "./message_scratch.ts";
 * console.assert(scratchBuffer(41).length === 41);
 * ```
 */
export function scratchBuffer(size: number, _target?: Uint8Array, _offset?: number): Uint8Array {
  if (size > maxScratchMessageSize) return new Uint8Array(size);
  if (scratch === undefined) {
    scratch = new Uint8Array(maxScratchMessageSize);
    views = new Array(maxCachedViewSize + 1).fill(undefined);
  }
  if (size > maxCachedViewSize) return scratch.subarray(0, size);
  return views[size] ??= scratch.subarray(0, size);
}
