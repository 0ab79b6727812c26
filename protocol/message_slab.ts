/**
 * Bytes for outgoing messages cut one after another from a shared slab, for a sender that
 * makes one small message after another (a client's requests). Each message gets bytes of its
 * own that nothing writes again, so unlike the scratch buffer of `message_scratch.ts` it is
 * safe with any `WebSocket.send`, also one that keeps the bytes until they are written (the
 * `ws` package). On Deno a new small `Uint8Array` costs 0.2 to 0.8 µs, a view of a slab a few
 * tens of ns; elsewhere both cost a few tens of ns.
 *
 * A view keeps its whole slab alive: drop it once the message is sent. A view's `.buffer`
 * holds other messages: never hand one to a user.
 *
 * @example
 * ```ts
 * import { MessageSlab } from "./message_slab.ts";
 * const slab = new MessageSlab();
 * const first = slab.allocate(41);
 * const second = slab.allocate(41);
 * console.assert(first.buffer === second.buffer && second.byteOffset === 41);
 * ```
 * @module
 */

/** The size of one slab: room for a few hundred small requests. */
export const messageSlabSize = 16 * 1024;

/**
 * Messages larger than this get an array of their own: for them allocating costs little next
 * to writing them, and they would use up slabs fast.
 */
export const maxSlabMessageSize = 1024;

/**
 * Hands out non-overlapping views of a slab, and a new slab when the current one is used up
 * (the old one is freed once the last view of it is).
 *
 * @example
 * ```ts
 * import { MessageSlab } from "./message_slab.ts";
 * import { writeRequestMessage } from "./payload_message_writer.ts";
 * const slab = new MessageSlab();
 * const id = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
 * const bytes = writeRequestMessage({ id, name: "echo", payload: "hi" }, slab.allocate, undefined, 0);
 * console.assert(bytes.length === 16 && bytes[0] === 128);
 * ```
 */
export class MessageSlab {
  #slab: ArrayBuffer | undefined;
  #used = messageSlabSize;

  /**
   * `size` zeroed bytes that no other call returns. Its `target` and `offset` parameters are
   * ignored: they let the writers of `payload_message_writer.ts` take it in place of
   * `messageBuffer`.
   */
  readonly allocate = (size: number, _target?: Uint8Array, _offset?: number): Uint8Array => {
    if (size > maxSlabMessageSize) return new Uint8Array(size);
    let used = this.#used;
    if (used + size > messageSlabSize) {
      this.#slab = new ArrayBuffer(messageSlabSize);
      used = 0;
    }
    this.#used = used + size;
    // The constructor over a buffer is cheaper than `subarray` in V8 and JSC.
    return new Uint8Array(this.#slab!, used, size);
  };
}
