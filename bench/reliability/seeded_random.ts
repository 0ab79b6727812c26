/**
 * A seeded pseudo-random generator for the reliability benchmarks, so that a seed reproduces a
 * run's sequence of choices (which frame, which mutation, which byte). Not for cryptography.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "./seeded_random.ts";
 * const a = new SeededRandom(7);
 * const b = new SeededRandom(7);
 * console.assert(a.below(1000) === b.below(1000));
 * ```
 * @module
 */

/**
 * A 32-bit generator: a Weyl sequence (adding an odd constant) passed through an integer mixing
 * function, which is enough for choosing mutations and has no state beyond one number.
 *
 * @example
 * ```ts
 * import { SeededRandom } from "./seeded_random.ts";
 * const random = new SeededRandom(1);
 * const die = 1 + random.below(6);
 * console.assert(die >= 1 && die <= 6);
 * ```
 */
export class SeededRandom {
  #state: number;

  /** Starts the sequence of `seed` (any integer; only its low 32 bits count). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer from 0 to `bound - 1` (`bound` from 1 to 2^32). */
  below(bound: number): number {
    return Math.floor((this.next() / 0x100000000) * bound);
  }

  /** An integer from `min` to `max`, both included. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A new generator seeded from this one, for a task that must not share its sequence. */
  fork(): SeededRandom {
    return new SeededRandom(this.next());
  }
}
