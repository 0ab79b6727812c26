import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, type BackoffOptions, defaultBackoff, resolveBackoff } from "./backoff.ts";
import { Client } from "./client.ts";

test("backoff caps grow by the factor up to the maximum", () => {
  const top = () => 0.999999999;
  const caps = [0, 1, 2, 3, 4, 5, 6, 7, 10].map((attempt) =>
    backoffDelay(attempt, defaultBackoff, top)
  );
  assert.deepEqual(caps, [249, 499, 999, 1999, 3999, 7999, 9999, 9999, 9999]);
  assert.equal(backoffDelay(3, { initialDelay: 100, factor: 3, maxDelay: 50_000 }, top), 2699);
});

test("backoff delays are fully jittered between the floor and the cap", () => {
  assert.equal(backoffDelay(5, defaultBackoff, () => 0), 10); // the floor, minRetryDelay
  assert.equal(backoffDelay(5, defaultBackoff, () => 0.5), 4000);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const delay = backoffDelay(2, defaultBackoff);
    assert.ok(delay >= 0 && delay < 1000, String(delay));
    seen.add(Math.floor(delay / 100));
  }
  assert.ok(seen.size >= 5, "delays should spread over the window");
});

test("reconnect options: left out or undefined take the default, a NaN or negative delay is refused", () => {
  assert.deepEqual(resolveBackoff(), defaultBackoff);
  assert.deepEqual(resolveBackoff({ maxDelay: undefined, initialDelay: 100 }), {
    ...defaultBackoff,
    initialDelay: 100,
  });
  assert.equal(resolveBackoff({ maxDelay: Infinity }).maxDelay, Infinity);
  for (
    const bad of [
      { maxDelay: NaN },
      { initialDelay: NaN },
      { initialDelay: -1 },
      { initialDelay: Infinity },
      { factor: 0.5 },
      { factor: NaN },
    ]
  ) {
    assert.throws(() => resolveBackoff(bad), RangeError, JSON.stringify(bad));
    // A retry loop without pause is refused where the client is made.
    assert.throws(() => new Client("ws://127.0.0.1:1/", { reconnect: bad }), RangeError);
  }
  // From JavaScript: a string, even one that compares as a number, is named as a string.
  for (const name of ["initialDelay", "factor", "maxDelay"]) {
    const bad = { [name]: "5" } as unknown as Partial<BackoffOptions>;
    assert.throws(() => resolveBackoff(bad), new RegExp(`${name} must be .* got a string "5"$`));
  }
});
