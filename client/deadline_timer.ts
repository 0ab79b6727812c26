/**
 * One timer for many deadlines: the timeouts of a client's pending requests. A timer per
 * request cost more than the rest of a request's work on Deno (`setTimeout` plus
 * `clearTimeout`: about 2 µs there, 0.15 µs on Bun); here a request costs a push onto a queue
 * (or, when its deadline is earlier than the last one's, onto a binary heap), and a settled
 * request is only marked and dropped once it comes first. The timer is armed for the earliest
 * deadline and re-armed only when an earlier one comes, which a client whose requests share one
 * timeout never causes.
 *
 * @example
 * ```ts
 * import { DeadlineTimer, type Timed } from "./deadline_timer.ts";
 * const expired: string[] = [];
 * const timer = new DeadlineTimer<Timed & { name: string }>((item) => expired.push(item.name));
 * timer.add({ name: "soon", deadline: performance.now() + 10, done: false, order: 0 });
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * console.assert(expired.join() === "soon");
 * ```
 * @module
 */

import { timerDelay } from "./timer_delay.ts";

/**
 * What the timer keeps of an item: when it expires, and whether it was settled meanwhile.
 *
 * @example
 * ```ts
 * import type { Timed } from "./deadline_timer.ts";
 * const item: Timed = { deadline: performance.now() + 1000, done: false, order: 1 };
 * console.assert(!item.done);
 * ```
 */
export interface Timed {
  /**
   * `performance.now()` at which it expires: a clock that a step of the system's clock (NTP, a
   * resumed virtual machine) does not move, as it would move `Date.now()`. A request reads it
   * once for its deadline and its connection's heartbeat together (on Deno 2.9 it costs about
   * 65 ns more than `Date.now()`).
   */
  readonly deadline: number;
  /** Set by the owner when the item no longer needs its deadline (then call `forget`). */
  done: boolean;
  /** Breaks ties between equal deadlines: the lower expires first. */
  readonly order: number;
}

/** Below this many heap slots, settled items are left for the timer to drop. */
const compactionFloor = 32;

/**
 * Calls `expire` for every added item whose deadline passed before it was marked `done`, in
 * deadline order (equal deadlines in `order`).
 *
 * @example
 * ```ts
 * import { DeadlineTimer, type Timed } from "./deadline_timer.ts";
 * const timer = new DeadlineTimer<Timed>(() => console.log("expired"));
 * const item: Timed = { deadline: performance.now() + 60_000, done: false, order: 0 };
 * timer.add(item);
 * item.done = true;
 * timer.forget();
 * timer.clear(); // no timer is left running
 * ```
 */
export class DeadlineTimer<T extends Timed> {
  readonly #expire: (item: T) => void;
  /**
   * Items in deadline order from `#head` on: every item whose deadline is not earlier than the
   * last one's, which is every item when all share one timeout. Adding and dropping cost O(1).
   */
  #queue: T[] = [];
  #head = 0;
  /** A binary min-heap by deadline of the other items. */
  #heap: T[] = [];
  /** How many items held are not done. */
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is armed for. */
  #armedFor = Infinity;

  /** Starts without a timer; `expire` is called from the timer, once per expired item. */
  constructor(expire: (item: T) => void) {
    this.#expire = expire;
  }

  /** Items held: those not done, and settled ones not dropped yet. */
  get size(): number {
    return this.#queue.length - this.#head + this.#heap.length;
  }

  /** Adds an item that is not done; arms the timer when its deadline is the earliest. */
  add(item: T): void {
    const queue = this.#queue;
    if (queue.length === this.#head || queue[queue.length - 1].deadline <= item.deadline) {
      queue.push(item);
    } else {
      heapPush(this.#heap, item);
    }
    this.#live++;
    if (item.deadline < this.#armedFor) this.#arm(item.deadline);
  }

  /**
   * Counts an added item that was marked `done`. Settled items first in line leave at once
   * (replies mostly come in the order of the requests, so the earliest deadline is usually the
   * one settled); the others stay until they come first or outnumber the items not done, and
   * then only those not done are kept.
   */
  forget(): void {
    // None left to time: nothing may keep a process alive for a settled item.
    if (--this.#live === 0) return this.clear();
    this.#dropDone();
    if (this.size <= compactionFloor || this.size <= 2 * this.#live) return;
    const keep = (item: T) => !item.done;
    this.#queue = this.#queue.slice(this.#head).filter(keep);
    this.#head = 0;
    const heap = this.#heap.filter(keep);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    this.#heap = heap;
  }

  /** Forgets every item and stops the timer (their owner settled them all). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    this.#heap = [];
    this.#live = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  /** The item first in line (earliest deadline), or undefined. */
  #first(): T | undefined {
    const queued = this.#head < this.#queue.length ? this.#queue[this.#head] : undefined;
    const top = this.#heap.length > 0 ? this.#heap[0] : undefined;
    if (queued === undefined) return top;
    return top !== undefined && earlier(top, queued) ? top : queued;
  }

  /** Removes the item first in line. */
  #shift(): void {
    const queue = this.#queue;
    const queued = this.#head < queue.length ? queue[this.#head] : undefined;
    const heap = this.#heap;
    if (queued === undefined || (heap.length > 0 && earlier(heap[0], queued))) {
      popTop(heap);
      return;
    }
    this.#head++;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= compactionFloor && this.#head * 2 >= queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #dropDone(): void {
    for (let first = this.#first(); first !== undefined && first.done; first = this.#first()) {
      this.#shift();
    }
  }

  #arm(deadline: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = deadline;
    // Whole milliseconds, rounded up: a timer may not fire before the deadline it serves.
    const delay = timerDelay(Math.max(0, Math.ceil(deadline - performance.now())));
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    // While expiring, `add` must not arm: the timer is armed once, below, for the earliest.
    this.#armedFor = -Infinity;
    const now = performance.now();
    for (let first = this.#first(); first !== undefined; first = this.#first()) {
      if (!first.done && first.deadline > now) break;
      this.#shift();
      // `expire` settles the item, whose owner then calls `forget`.
      if (!first.done) this.#expire(first);
    }
    this.#armedFor = Infinity;
    const first = this.#first();
    if (first !== undefined) this.#arm(first.deadline);
  }
}

function earlier(a: Timed, b: Timed): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
}

function heapPush<T extends Timed>(heap: T[], item: T): void {
  let i = heap.length;
  heap.push(item);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!earlier(item, heap[parent])) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = item;
}

function popTop<T extends Timed>(heap: T[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown<T extends Timed>(heap: T[], start: number): void {
  const length = heap.length;
  const item = heap[start];
  let i = start;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= length) break;
    if (child + 1 < length && earlier(heap[child + 1], heap[child])) child++;
    if (!earlier(heap[child], item)) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}
