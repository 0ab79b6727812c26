/**
 * The output buffers of the Node adapter's own framing, pooled across all connections: a
 * connection writes the frames of one tick into a 16 KiB buffer and hands it to the socket,
 * which gives it back here once written. A frame larger than that gets a buffer of its own,
 * which is not kept.
 *
 * @example
 * ```ts
 * import { outputBuffer, releaseOutput } from "./node_output_pool.ts";
 * const buffer = outputBuffer(100); // a pooled 16 KiB buffer, or a new one
 * console.assert(buffer.length === 16384);
 * releaseOutput(buffer); // written: back to the pool
 * console.assert(outputBuffer(100) === buffer);
 * ```
 * @module
 */

import { Buffer } from "node:buffer";

/** Size of the pooled output buffers; a tick that sends more writes each one as it fills. */
const outputChunkSize = 16384;
/** Output buffers kept for reuse, across all connections. */
const pooledOutputs: Buffer[] = [];
const maxPooledOutputs = 256;

/**
 * A buffer with room for `size` bytes: a pooled one when `size` fits the pooled size, else one
 * of its own.
 *
 * @example
 * ```ts
 * import { outputBuffer } from "./node_output_pool.ts";
 * console.assert(outputBuffer(20000).length === 20000);
 * ```
 */
export function outputBuffer(size: number): Buffer {
  return size <= outputChunkSize
    ? pooledOutputs.pop() ?? Buffer.allocUnsafeSlow(outputChunkSize)
    : Buffer.allocUnsafeSlow(size);
}

/**
 * Gives back a buffer from {@link outputBuffer} that nobody reads or writes any more (the
 * socket has written it); only pooled-size buffers are kept, up to 256.
 *
 * @example
 * ```ts
 * import { outputBuffer, releaseOutput } from "./node_output_pool.ts";
 * const big = outputBuffer(20000);
 * releaseOutput(big); // not kept: not of the pooled size
 * console.assert(outputBuffer(100) !== big && outputBuffer(20000) !== big);
 * ```
 */
export function releaseOutput(buffer: Buffer): void {
  if (buffer.length === outputChunkSize && pooledOutputs.length < maxPooledOutputs) {
    pooledOutputs.push(buffer);
  }
}
