import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PendingRequestIds } from "./pending_request_ids.ts";

/** A small deterministic generator, so that a failure repeats. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Runs `steps` random operations on both sets and compares them after each one. */
function agreesWithSet(keys: (number | string)[], steps: number, seed: number): void {
  const next = random(seed);
  const pending = new PendingRequestIds();
  const expected = new Set<number | string>();
  for (let step = 0; step < steps; step++) {
    const key = keys[Math.floor(next() * keys.length)];
    if (next() < 0.55) {
      // add says whether it added: false for a key pending already, as a duplicate id is.
      assert.equal(pending.add(key), !expected.has(key), `add(${String(key)}) at ${step}`);
      expected.add(key);
    } else {
      pending.delete(key);
      expected.delete(key);
    }
    assert.equal(pending.size, expected.size, `size after step ${step}`);
    const probe = keys[Math.floor(next() * keys.length)];
    assert.equal(pending.has(probe), expected.has(probe), `has(${String(probe)}) at ${step}`);
  }
  for (const key of keys) assert.equal(pending.has(key), expected.has(key), `has(${String(key)})`);
}

describe("PendingRequestIds", () => {
  it("agrees with a Set over random adds and deletes of small, sequential ids", () => {
    const keys = Array.from({ length: 40 }, (_, id) => id);
    agreesWithSet(keys, 20_000, 1);
  });

  it("agrees with a Set while growing to thousands of keys and shrinking back", () => {
    const pending = new PendingRequestIds();
    for (let id = 0; id < 5000; id++) pending.add(id * 7919);
    assert.equal(pending.size, 5000);
    for (let id = 0; id < 5000; id++) assert.ok(pending.has(id * 7919), `has ${id * 7919}`);
    assert.ok(!pending.has(1));
    for (let id = 0; id < 5000; id++) pending.delete(id * 7919);
    assert.equal(pending.size, 0);
    assert.ok(!pending.has(0));
    // Usable again after it was cut back to its first size.
    agreesWithSet(Array.from({ length: 30 }, (_, id) => id), 5000, 2);
  });

  it("keeps ids apart that share their low or high 32 bits, and ids up to 2^53", () => {
    const keys: number[] = [];
    for (let high = 0; high < 12; high++) {
      for (let low = 0; low < 4; low++) keys.push(high * 2 ** 32 + low);
    }
    keys.push(
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER - 1,
      2 ** 31,
      2 ** 31 - 1,
      2 ** 32 - 1,
    );
    agreesWithSet(keys, 20_000, 3);
  });

  it("holds ids above 2^53 (string keys) next to number keys", () => {
    const keys: (number | string)[] = [1, 2, 3, "\u00ff".repeat(8), "\u00fe" + "\u00ff".repeat(7)];
    agreesWithSet(keys, 5000, 4);
  });

  it("deletes from the middle of a run of keys that share a slot without losing the rest", () => {
    // Many keys in a small table make long probe runs: every delete must keep every other key.
    const next = random(5);
    const pending = new PendingRequestIds();
    const present = new Set<number>();
    for (let round = 0; round < 200; round++) {
      while (present.size < 7) {
        const key = Math.floor(next() * 64);
        if (!present.has(key)) {
          pending.add(key);
          present.add(key);
        }
      }
      const victims = [...present].filter(() => next() < 0.5);
      for (const key of victims) {
        pending.delete(key);
        present.delete(key);
        for (const kept of present) assert.ok(pending.has(kept), `lost ${kept} after ${key}`);
        assert.ok(!pending.has(key), `still has ${key}`);
      }
    }
  });

  it("ignores deleting a key that is not pending", () => {
    const pending = new PendingRequestIds();
    pending.add(5);
    pending.delete(6);
    pending.delete("x");
    assert.equal(pending.size, 1);
    assert.ok(pending.has(5));
  });
});
