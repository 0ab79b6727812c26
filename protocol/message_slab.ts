/**
 * A slab allocator for outgoing messages, for servers on runtimes where a small `Uint8Array`
 * costs far more than a view of an existing one (Deno: about 10× more, see `bench/README.md`).
 *
 * Small messages are carved out of a 64 KiB slab, one after another. A slab is never written
 * again once a message was carved from it, and never reused: when it is full, the next message
 * starts a fresh slab and the old one is left to the garbage collector, which frees it once the
 * last of its views is gone. So a view stays intact for as long as anyone (a runtime still
 * sending it, a queue) holds it.
 *
 * The price: a view's `.buffer` holds other messages too. Only hand such views to code that sends
 * or reads the view itself (`socket.send(view)`), never to code that may look at `.buffer`, and
 * never to a user: the public encoders (`encodeSignal`, `encodeReply`, ...) return arrays whose
 * buffer is their own.
 *
 * @example
 * ```ts
 * import { slabBuffer } from "./message_slab.ts";
 * const a = slabBuffer(3);
 * const b = slabBuffer(3);
 * console.assert(a.length === 3 && a.buffer === b.buffer && b.byteOffset === a.byteOffset + 3);
 * ```
 * @module
 */

/** Bytes per slab. */
export const slabSize = 64 * 1024;

/**
 * Messages larger than this get an array of their own: for them the copy costs more than the
 * allocation, and a slab should hold many messages so that little of it is left unused.
 */
export const maxSlabMessageSize = 2048;

let slab = new Uint8Array(0);
let used = 0;

/**
 * `size` zeroed bytes for an outgoing message: a view of the current slab when the message is
 * at most {@link maxSlabMessageSize} bytes, else a new array. Its `target` and `offset`
 * parameters are ignored: they let the encoders take it in place of `messageBuffer`.
 *
 * @example
 * ```ts
 * import { slabBuffer } from "./message_slab.ts";
 * const view = slabBuffer(41);
 * console.assert(view.length === 41 && view.every((byte) => byte === 0));
 * ```
 */
export function slabBuffer(size: number, _target?: Uint8Array, _offset?: number): Uint8Array {
  if (size > maxSlabMessageSize) return new Uint8Array(size);
  let start = used;
  if (start + size > slab.length) {
    slab = new Uint8Array(slabSize);
    start = 0;
  }
  used = start + size;
  return slab.subarray(start, start + size);
}
