/**
 * Gathers what a cluster node sends in one synchronous run of code (before the next
 * microtask) into batches, so that a burst of pushes costs Redis one command instead of one
 * each. A batch goes out in a microtask
 * after its first message (before any I/O: no added wait), or at once when it is full. Batches
 * are sent in the order they were filled. A sender that sent some items of a batch and not
 * others names the failed ones ({@link ItemFailures}): only their promises reject.
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

/**
 * What a sender resolves with when some items of a batch failed and the others went: the error
 * of each failed item, by its index in the batch.
 *
 * @example
 * ```ts
 * import type { ItemFailures } from "./cluster_outbox.ts";
 * const failures: ItemFailures = new Map([[1, new Error("WRONGTYPE")]]);
 * console.assert(failures.has(1));
 * ```
 */
export type ItemFailures = ReadonlyMap<number, Error>;

/**
 * How a batch is sent: resolves when it went, with the items that failed if some did (the
 * others count as sent); rejects when none went.
 *
 * @example
 * ```ts
 * import { type BatchSender, ClusterOutbox } from "./cluster_outbox.ts";
 * // Sends every name but "bob", which it reports as failed.
 * const send: BatchSender<string> = (names) =>
 *   Promise.resolve(new Map([[names.indexOf("bob"), new Error("bob is refused")]]));
 * const outbox = new ClusterOutbox(send);
 * const [ada, bob] = await Promise.allSettled([outbox.add("ada", 3), outbox.add("bob", 3)]);
 * console.assert(ada.status === "fulfilled" && bob.status === "rejected");
 * ```
 */
export type BatchSender<T> = (items: T[]) => Promise<ItemFailures | void>;

interface Batch<T> {
  readonly items: T[];
  bytes: number;
  readonly done: Promise<ItemFailures | void>;
  settle(sending: Promise<ItemFailures | void>): void;
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
  readonly #send: BatchSender<T>;
  readonly #limits: OutboxLimits;
  #open: Batch<T> | undefined;

  /**
   * @param send sends one batch, in order; its promise settles every item of the batch but
   *   those it names as failed.
   * @param limits how large a batch may grow.
   */
  constructor(send: BatchSender<T>, limits: OutboxLimits = defaultOutboxLimits) {
    this.#send = send;
    this.#limits = limits;
  }

  /**
   * Adds `item` of about `bytes` bytes to the open batch.
   *
   * @returns a promise that settles as the batch's sending does, rejected with the item's own
   *   error when the sender names it as failed.
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
    const index = batch.items.push(item) - 1;
    batch.bytes += bytes;
    return batch.done.then((failures) => {
      const failure = failures?.get(index);
      if (failure !== undefined) throw failure;
    });
  }

  /**
   * Sends the open batch now, before its microtask: for a command that must reach Redis after
   * what was added so far.
   */
  flush(): void {
    if (this.#open !== undefined) this.#flush(this.#open);
  }

  #openBatch(): Batch<T> {
    let settle!: (sending: Promise<ItemFailures | void>) => void;
    const done = new Promise<ItemFailures | void>((resolve) => settle = resolve);
    const batch: Batch<T> = { items: [], bytes: 0, done, settle };
    this.#open = batch;
    return batch;
  }

  #flush(batch: Batch<T>): void {
    this.#open = undefined;
    let sending: Promise<ItemFailures | void>;
    try {
      sending = this.#send(batch.items);
    } catch (error) {
      sending = Promise.reject(error);
    }
    batch.settle(sending);
  }
}
