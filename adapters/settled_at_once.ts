/**
 * Telling a response body produced in memory (its reads settle at once) from one that waits for
 * something (an event stream): the adapters that write HTTP themselves send the first in one
 * write and stream the second. Internal to the adapters.
 *
 * @example
 * ```ts
 * import { settledAtOnce } from "./settled_at_once.ts";
 * console.assert((await settledAtOnce(Promise.resolve(1))) === 1);
 * ```
 * @module
 */

/**
 * What `read` gives if it settles before the event loop turns (a body produced in memory
 * does), else `undefined` (the body waits for something: stream what came so far). A rejection
 * that comes in time is passed on.
 *
 * @example
 * ```ts
 * import { settledAtOnce } from "./settled_at_once.ts";
 * const later = new Promise((resolve) => setTimeout(resolve, 50));
 * console.assert((await settledAtOnce(later)) === undefined);
 * ```
 */
export function settledAtOnce<T>(read: Promise<T>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), 0);
    read.then((result) => {
      clearTimeout(timer);
      resolve(result);
    }, (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Bytes read at once before a body counts as a long one, streamed from there on.
 *
 * @example
 * ```ts
 * import { atOnceLimit } from "./settled_at_once.ts";
 * console.assert(atOnceLimit === 65536);
 * ```
 */
export const atOnceLimit = 65536;

/**
 * What a read of a body's reader gives: a chunk, or the end. Named from the reader rather than
 * as the DOM's `ReadableStreamReadResult`, which Node's types (`@types/node`) do not declare.
 *
 * @example
 * ```ts
 * import type { ChunkRead } from "./settled_at_once.ts";
 * const reader = new Response("page").body!.getReader();
 * const first: ChunkRead = await reader.read();
 * console.assert(!first.done && first.value.length === 4);
 * ```
 */
export type ChunkRead = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;

/**
 * What {@link readAtOnce} read: the chunks, their size, whether that was the whole body, and
 * the read after them, still to be awaited when it was not.
 *
 * @example
 * ```ts
 * import { type AtOnce, readAtOnce } from "./settled_at_once.ts";
 * const reader = new Response("page").body!.getReader();
 * const start: AtOnce = await readAtOnce(() => reader.read());
 * console.assert(start.done && start.size === 4);
 * ```
 */
export interface AtOnce {
  /** The chunks read at once. */
  readonly chunks: Uint8Array[];
  /** Their total length in bytes. */
  readonly size: number;
  /** Whether the body ended among them: they are all of it. */
  readonly done: boolean;
  /** The read that follows them (when not `done`): awaited, it gives the next chunk. */
  readonly next: Promise<ChunkRead>;
}

/**
 * Reads what a body has at once, up to 64 KiB, and one read more: a body made in memory ends
 * there whatever its size (a large string comes as one chunk), so it can go with its length;
 * a long one (a file, an event stream) is streamed from `next` on, with at most 64 KiB and two
 * chunks read ahead. `stop` ends the reading early (the client left). A read that fails at once
 * rejects.
 *
 * @example
 * ```ts
 * import { readAtOnce } from "./settled_at_once.ts";
 * const large = new Response("x".repeat(1 << 20)).body!.getReader();
 * console.assert((await readAtOnce(() => large.read())).done); // all of it, with its length
 * const events = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }).getReader();
 * const start = await readAtOnce(() => events.read());
 * console.assert(!start.done && start.size === 0); // waits for something: streamed
 * ```
 */
export async function readAtOnce(
  read: () => Promise<ChunkRead>,
  stop: () => boolean = () => false,
): Promise<AtOnce> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let next = read();
  while (!stop()) {
    const result = await settledAtOnce(next);
    if (result === undefined) break; // nothing more yet: stream from here on
    if (result.done) return { chunks, size, done: true, next };
    if (size > atOnceLimit) break; // a long body: this chunk stays in `next`
    chunks.push(result.value);
    size += result.value.byteLength;
    next = read();
  }
  return { chunks, size, done: false, next };
}
