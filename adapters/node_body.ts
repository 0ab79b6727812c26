/**
 * Streaming a standard `Response` body to a Node writable (Node's `ServerResponse`, or the raw
 * socket of an upgrade request answered with plain HTTP), with backpressure. What the body has
 * at once (a body made in memory, of any size; else up to 64 KiB) is told apart from what it waits for (an event
 * stream), so that the first leaves in one write with its length and the second's first events
 * leave at once. The body is cancelled when the writable closes. Internal to the Node adapter.
 *
 * @example
 * ```ts ignore
 * import { BodyPipe, endWithBody } from "./node_body.ts";
 * const pipe = new BodyPipe(response.body, socket);
 * const start = await pipe.start();
 * if (start.done) endWithBody(socket, start);
 * else await pipe.rest();
 * pipe.release();
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import type { Writable } from "node:stream";
import { atOnceLimit, type ChunkRead, readAtOnce } from "./settled_at_once.ts";

/** What a body had at once, and whether that was all of it. */
export interface BodyStart {
  /** The chunks read at once. */
  readonly chunks: Uint8Array[];
  /** Their bytes in all. */
  readonly size: number;
  /** Whether the body ended with them. */
  readonly done: boolean;
}

/** A body being written to a Node writable; see the module documentation. */
export class BodyPipe {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #out: Writable;
  #next: Promise<ChunkRead> | undefined;

  /** Reads `body` for `out`; cancels it when `out` closes. */
  constructor(body: ReadableStream<Uint8Array>, out: Writable) {
    this.#reader = body.getReader();
    this.#out = out;
    out.once("close", this.cancel);
  }

  /** Reads what the body has at once (up to 64 KiB, or all of a body made in memory). */
  async start(): Promise<BodyStart> {
    const { chunks, size, done, next } = await readAtOnce(() => this.#read());
    this.#next = next;
    return { chunks, size, done };
  }

  /** Writes the rest of the body after {@link start} as it comes, then ends the writable. */
  async rest(): Promise<void> {
    const out = this.#out;
    let next = this.#next ?? this.#read();
    for (;;) {
      if (out.writableNeedDrain) await drained(out);
      if (out.destroyed) return this.cancel();
      const { done, value } = await next;
      if (out.destroyed) return this.cancel();
      if (done) return void out.end();
      out.write(value);
      next = this.#read();
    }
  }

  /** Cancels the body (the writable is gone, or needs no body). */
  readonly cancel = (): void => void this.#reader.cancel().catch(() => {});

  /** Lets go of the body once written or given up. */
  release(): void {
    this.#out.off("close", this.cancel);
    this.#reader.releaseLock();
  }

  #read(): Promise<ChunkRead> {
    // A read left pending when the writable closes settles unobserved: never an unhandled error.
    const pending = this.#reader.read();
    pending.catch(() => {});
    return pending;
  }
}

/**
 * Ends `out` with a body read whole ({@link BodyStart} `done`): a small one in one write, a
 * large one (made in memory) chunk by chunk, never copied.
 *
 * @example
 * ```ts
 * import { PassThrough } from "node:stream";
 * import { endWithBody } from "./node_body.ts";
 * const out = new PassThrough();
 * endWithBody(out, { chunks: [new Uint8Array([1]), new Uint8Array([2])], size: 2, done: true });
 * console.assert(out.read().length === 2);
 * ```
 */
export function endWithBody(out: Writable, { chunks, size }: BodyStart): void {
  if (chunks.length <= 1) return void out.end(chunks[0] ?? new Uint8Array(0));
  if (size <= atOnceLimit) return void out.end(Buffer.concat(chunks, size));
  for (const chunk of chunks) out.write(chunk);
  out.end();
}

/** Resolves when `out` can take more, or is gone. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}
