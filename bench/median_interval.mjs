// How sure a median over benchmark rounds is: an interval that holds the true median with a
// known probability whatever the rounds' distribution (order statistics and the binomial
// distribution), so that a report can say whether a ratio's miss of its target is more than
// the noise of the machine it ran on.

/**
 * The probability that a Binomial(n, ½) variable is at most `k`.
 *
 * @example
 * binomialHalfAtMost(9, 1); // (1 + 9) / 512 ≈ 0.0195
 */
export function binomialHalfAtMost(n, k) {
  let term = 1; // C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k && i <= n; i++) {
    sum += term;
    term = term * (n - i) / (i + 1);
  }
  return sum / 2 ** n;
}

/**
 * The narrowest interval between the k-th smallest and the k-th largest of `values` that holds
 * the median of the distribution they were drawn from with probability `coverage` ≥
 * `confidence` (default 0.95): `{ low, high, coverage }`, or null when there are too few values
 * (fewer than 6 at 95 %). Values that are not numbers are left out.
 *
 * @example
 * // Nine rounds: the 2nd smallest to the 2nd largest, 96.1 % coverage.
 * medianInterval([1.1, 0.98, 0.82, 1.05, 1.09, 1.15, 1.28, 1.13, 1.01]);
 * // → { low: 0.98, high: 1.15, coverage: 0.9609375 }
 */
export function medianInterval(values, confidence = 0.95) {
  const sorted = values.filter((v) => typeof v === "number" && !Number.isNaN(v))
    .sort((a, b) => a - b);
  const n = sorted.length;
  let best = null;
  for (let k = 1; 2 * k <= n; k++) {
    const coverage = 1 - 2 * binomialHalfAtMost(n, k - 1);
    if (coverage < confidence) break;
    best = { low: sorted[k - 1], high: sorted[n - k], coverage };
  }
  return best;
}
