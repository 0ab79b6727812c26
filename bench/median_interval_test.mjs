import assert from "node:assert/strict";
import { test } from "node:test";
import { binomialHalfAtMost, medianInterval } from "./median_interval.mjs";

test("binomialHalfAtMost sums the binomial coefficients over 2^n", () => {
  assert.equal(binomialHalfAtMost(9, 1), 10 / 512);
  assert.equal(binomialHalfAtMost(4, 2), (1 + 4 + 6) / 16);
  assert.equal(binomialHalfAtMost(20, 20), 1);
  assert.equal(binomialHalfAtMost(20, 30), 1);
});

test("medianInterval picks the order statistics with at least 95 % coverage", () => {
  const nine = [1.1, 0.98, 0.82, 1.05, 1.09, 1.15, 1.28, 1.13, 1.01];
  assert.deepEqual(medianInterval(nine), { low: 0.98, high: 1.15, coverage: 1 - 20 / 512 });
  const twenty = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 down to 1
  const interval = medianInterval(twenty);
  // k = 6: 1 - 2 P(X ≤ 5) = 0.9586; k = 7 would cover only 0.8847.
  assert.equal(interval?.low, 6);
  assert.equal(interval?.high, 15);
  assert.ok(interval.coverage > 0.95 && interval.coverage < 0.96);
});

test("medianInterval is null below six values and leaves out what is not a number", () => {
  assert.equal(medianInterval([1, 2, 3, 4, 5]), null);
  assert.equal(medianInterval([1, 2, null, 3, Number.NaN, 4, 5]), null);
  assert.deepEqual(medianInterval([6, 1, 5, 2, 4, 3]), { low: 1, high: 6, coverage: 62 / 64 });
  assert.equal(medianInterval([1, 2, 3, 4, 5], 0.9)?.coverage, 30 / 32);
});

test("medianInterval holds the true median at least as often as it claims", () => {
  // A seeded generator (mulberry32) drawing from a skewed distribution whose median is known:
  // an exponential with rate 1 has median ln 2.
  let seed = 12345;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const trueMedian = Math.LN2;
  for (const n of [9, 15, 20]) {
    let held = 0;
    const trials = 4000;
    let claimed = 0;
    for (let trial = 0; trial < trials; trial++) {
      const sample = Array.from({ length: n }, () => -Math.log(1 - random()));
      const interval = medianInterval(sample);
      claimed = interval.coverage;
      if (interval.low <= trueMedian && trueMedian <= interval.high) held++;
    }
    // Three standard errors of a proportion near 0.96 over 4 000 trials: about 0.009.
    assert.ok(held / trials > claimed - 0.01, `n ${n}: held ${held / trials}, claimed ${claimed}`);
  }
});
