/**
 * Gathers what a cluster node sends in one synchronous run of code (before the next
 * microtask) into batches, so that a burst of pushes costs Redis one command instead of one
 * each. A batch goes out in a microtask
 * after its first message (before any I/O: no added wait), or at once when it is full. Batches
 * are sent in the order they were filled.
 *
 * @example
 * ```ts
 * import { ClusterOutbox } from "./cluster_outbox.ts";
 * const sent: string[][] = [];
 * const outbox = new ClusterOutbox<string>((batch) => {
 *   sent.push(batch);
 *   return Promise.resolve();
 * });
 * await Promise.all(["a", "b", "c"].map((item) => outbox.add(item, 1)));
 * console.assert(sent.length === 1 && sent[0].join() === "a,b,c");
 * ```
 * @module
 */

/**
 * How large a batch may grow before it is sent.
 *
 * @example
 * ```ts
 * import type { OutboxLimits } from "./cluster_outbox.ts";
 * const limits: OutboxLimits = { maxItems: 64, maxBytes: 65_536 };
 * console.assert(limits.maxItems === 64);
 * ```
 */
export interface OutboxLimits {
  /** Items in one batch at most. */
  readonly maxItems: number;
  /** Bytes in one batch at most (a single larger item is a batch of its own). */
  readonly maxBytes: number;
}

/**
 * 256 items or 1 MiB, whichever comes first.
 *
 * @example
 * ```ts
 * import { defaultOutboxLimits } from "./cluster_outbox.ts";
 * console.assert(defaultOutboxLimits.maxBytes === 1 << 20);
 * ```
 */
export const defaultOutboxLimits: OutboxLimits = { maxItems: 256, maxBytes: 1 << 20 };

interface Batch<T> {
  readonly items: T[];
  bytes: number;
  readonly done: Promise<void>;
  settle(sending: Promise<void>): void;
}

/**
 * Batches of items for one sender; see the module documentation.
 *
 * @example
 * ```ts
 * import { ClusterOutbox } from "./cluster_outbox.ts";
 * const sizes: number[] = [];
 * const outbox = new ClusterOutbox<Uint8Array>(
 *   (batch) => Promise.resolve(void sizes.push(batch.length)),
 *   { maxItems: 2, maxBytes: 1024 },
 * );
 * const bursts = [1, 2, 3].map(() => outbox.add(new Uint8Array(8), 8));
 * await Promise.all(bursts);
 * console.assert(sizes.join() === "2,1"); // the first batch was full at two
 * ```
 */
export class ClusterOutbox<T> {
  readonly #send: (items: T[]) => Promise<void>;
  readonly #limits: OutboxLimits;
  #open: Batch<T> | undefined;

  /**
   * @param send sends one batch, in order; its promise settles every item of the batch.
   * @param limits how large a batch may grow.
   */
  constructor(send: (items: T[]) => Promise<void>, limits: OutboxLimits = defaultOutboxLimits) {
    this.#send = send;
    this.#limits = limits;
  }

  /**
   * Adds `item` of about `bytes` bytes to the open batch.
   *
   * @returns a promise that settles as the batch's sending does; items of one batch share it.
   */
  add(item: T, bytes: number): Promise<void> {
    let batch = this.#open;
    if (
      batch !== undefined &&
      (batch.items.length >= this.#limits.maxItems || batch.bytes + bytes > this.#limits.maxBytes)
    ) {
      this.#flush(batch);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = this.#openBatch();
      const opened = batch;
      queueMicrotask(() => {
        if (this.#open === opened) this.#flush(opened);
      });
    }
    batch.items.push(item);
    batch.bytes += bytes;
    return batch.done;
  }

  /**
   * Sends the open batch now, before its microtask: for a command that must reach Redis after
   * what was added so far.
   */
  flush(): void {
    if (this.#open !== undefined) this.#flush(this.#open);
  }

  #openBatch(): Batch<T> {
    let settle!: (sending: Promise<void>) => void;
    const done = new Promise<void>((resolve) => settle = resolve);
    const batch: Batch<T> = { items: [], bytes: 0, done, settle };
    this.#open = batch;
    return batch;
  }

  #flush(batch: Batch<T>): void {
    this.#open = undefined;
    let sending: Promise<void>;
    try {
      sending = this.#send(batch.items);
    } catch (error) {
      sending = Promise.reject(error);
    }
    batch.settle(sending);
  }
}
