/**
 * The ids of one connection's requests that wait for their replies, kept so that a request
 * reusing a pending id is caught. Keys come from `pendingRequestKey`: a number for every id up
 * to 2^53 (what clients send in practice), a string above.
 *
 * A `Set` would do, but every request whose reply waits adds and deletes its key, and a
 * connection's set goes from empty to its requests in flight and back with every burst: V8
 * grows and shrinks a `Set`'s table as it goes, which costs allocations and a few tens of ns per
 * request. Numbers here live in one open-addressing table (linear probing, deletion by moving
 * later entries back, so no tombstones) that only grows, and is cut back to its first size when
 * it empties after a large burst.
 *
 * @example
 * ```ts
 * import { PendingRequestIds } from "./pending_request_ids.ts";
 * const pending = new PendingRequestIds();
 * pending.add(1);
 * pending.add("\u00ff".repeat(8)); // an id above 2^53
 * console.assert(!pending.add(1)); // pending already
 * console.assert(pending.has(1) && pending.size === 2);
 * pending.delete(1);
 * console.assert(!pending.has(1) && pending.size === 1);
 * ```
 * @module
 */

/** Slots of a new table; it doubles whenever it would be more than half full. */
const initialSlots = 16;
/** A table that grew past this is cut back to {@link initialSlots} once it is empty again. */
const keptSlots = 256;
/** Marks a free slot (keys are never negative). */
const free = -1;
/** Per process, so that a client cannot know in advance which ids share a slot. */
const seedLow = (Math.random() * 2 ** 32) | 0;
const seedHigh = (Math.random() * 2 ** 32) | 0;

/**
 * A set of pending request keys, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { PendingRequestIds } from "./pending_request_ids.ts";
 * const pending = new PendingRequestIds();
 * for (let id = 0; id < 100; id++) pending.add(id);
 * for (let id = 0; id < 100; id += 2) pending.delete(id);
 * console.assert(pending.size === 50 && pending.has(99) && !pending.has(98));
 * ```
 */
export class PendingRequestIds {
  #slots = new Float64Array(initialSlots).fill(free);
  #shift = 32 - Math.log2(initialSlots);
  #numbers = 0;
  #strings: Set<string> | undefined;

  /** How many keys are pending. */
  get size(): number {
    return this.#numbers + (this.#strings?.size ?? 0);
  }

  /** Whether `key` is pending. */
  has(key: number | string): boolean {
    if (typeof key === "string") return this.#strings?.has(key) === true;
    // No probe of the table (which may have left the CPU's caches) when it is empty.
    if (this.#numbers === 0) return false;
    return this.#slots[this.#slotOf(key)] === key;
  }

  /**
   * Adds `key` unless it is pending already, in one probe of the table: whether it was added
   * (`false`: a request reused the id of one still pending).
   */
  add(key: number | string): boolean {
    if (typeof key === "string") {
      const strings = this.#strings ??= new Set();
      if (strings.has(key)) return false;
      strings.add(key);
      return true;
    }
    if ((this.#numbers + 1) * 2 > this.#slots.length) this.#resize(this.#slots.length * 2);
    const at = this.#slotOf(key);
    if (this.#slots[at] === key) return false;
    this.#slots[at] = key;
    this.#numbers++;
    return true;
  }

  /** Removes `key` if it is pending. */
  delete(key: number | string): void {
    if (typeof key === "string") {
      this.#strings?.delete(key);
      return;
    }
    const slots = this.#slots;
    const mask = slots.length - 1;
    let at = this.#slotOf(key);
    if (slots[at] !== key) return;
    // Moves back every later key of the run that may sit in the freed slot, then frees the last
    // slot moved from, so that every key stays reachable from its home slot without tombstones.
    for (let next = (at + 1) & mask;; next = (next + 1) & mask) {
      const held = slots[next];
      if (held === free) break;
      const home = this.#home(held);
      // The key at `next` may move to `at` unless its home lies cyclically in (at, next].
      const homeAfterGap = at <= next ? at < home && home <= next : at < home || home <= next;
      if (!homeAfterGap) {
        slots[at] = held;
        at = next;
      }
    }
    slots[at] = free;
    if (--this.#numbers === 0 && slots.length > keptSlots) this.#resize(initialSlots);
  }

  #home(key: number): number {
    const low = Math.imul((key | 0) ^ seedLow, 0x9e3779b1);
    const high = Math.imul(((key / 4294967296) | 0) ^ seedHigh, 0x85ebca6b);
    return (low ^ high) >>> this.#shift;
  }

  /** The slot that holds `key`, or the free slot where its probe ends (where it would go). */
  #slotOf(key: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let at = this.#home(key);
    for (let held = slots[at]; held !== key && held !== free; held = slots[at]) {
      at = (at + 1) & mask;
    }
    return at;
  }

  #resize(size: number): void {
    const old = this.#slots;
    this.#slots = new Float64Array(size).fill(free);
    this.#shift = 32 - Math.log2(size);
    for (const key of old) if (key !== free) this.#slots[this.#slotOf(key)] = key;
  }
}
