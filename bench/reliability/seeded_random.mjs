// A seeded pseudo-random generator (mulberry32) for the reliability benchmarks, so that a run
// with the same seed makes the same choices (kill moments, user names, reconnect delays).
// Plain JavaScript, so that both the Node runners and the Bun client processes import it.

/**
 * Returns a function yielding numbers in [0, 1) from the 32-bit `seed`, the same sequence for
 * the same seed.
 *
 * @param {number} seed
 * @returns {() => number}
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
