import { test } from "node:test";
import assert from "node:assert/strict";
import { until } from "../testing/until.ts";
import { DeadlineTimer, type Timed } from "./deadline_timer.ts";

interface Item extends Timed {
  name: string;
}

let order = 0;
function item(name: string, inMs: number): Item {
  return { name, deadline: performance.now() + inMs, done: false, order: order++ };
}

const settle = (timer: DeadlineTimer<Item>, it: Item) => {
  it.done = true;
  timer.forget();
};

test("expires items in deadline order, equal deadlines in order, settled ones never", async () => {
  const expired: string[] = [];
  const timer = new DeadlineTimer<Item>((it) => {
    expired.push(it.name);
    settle(timer, it);
  });
  const late = item("late", 40);
  const tie = { ...item("tie", 0), deadline: late.deadline };
  const settled = item("settled", 10);
  timer.add(late);
  timer.add(tie);
  timer.add(settled);
  timer.add(item("early", 5)); // earlier than the armed deadline: re-arms
  settle(timer, settled);
  await until(() => timer.size === 0, "every item expired or settled");
  assert.deepEqual(expired, ["early", "late", "tie"]);
  assert.equal(timer.size, 0);
});

test("an item added while expiring is timed too", async () => {
  const expired: string[] = [];
  const timer = new DeadlineTimer<Item>((it) => {
    expired.push(it.name);
    settle(timer, it);
    if (it.name === "first") timer.add(item("second", 5));
  });
  timer.add(item("first", 5));
  await until(() => expired.length === 2, "the second item expired");
  assert.deepEqual(expired, ["first", "second"]);
});

test("settled items do not pile up: the heap is rebuilt from the live ones", () => {
  const timer = new DeadlineTimer<Item>(() => assert.fail("nothing expires"));
  const live = item("live", 60_000);
  timer.add(live);
  for (let i = 0; i < 10_000; i++) {
    const it = item(`#${i}`, 60_000);
    timer.add(it);
    settle(timer, it);
  }
  assert.ok(timer.size <= 33, `${timer.size} heap slots for 1 live item`);
  timer.clear();
  assert.equal(timer.size, 0);
});

test("clear stops the timer: nothing expires after it", async () => {
  const timer = new DeadlineTimer<Item>(() => assert.fail("cleared"));
  timer.add(item("a", 5));
  timer.clear();
  await new Promise((resolve) => setTimeout(resolve, 30));
});

test("settling the last live item stops the timer: nothing keeps a process alive for it", () => {
  const armed: unknown[] = [];
  const cleared: unknown[] = [];
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  globalThis.setTimeout = ((run: () => void, ms: number) => {
    const handle = set(run, ms);
    armed.push(handle);
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((handle: ReturnType<typeof setTimeout>) => {
    cleared.push(handle);
    clear(handle);
  }) as typeof clearTimeout;
  try {
    const timer = new DeadlineTimer<Item>(() => assert.fail("settled"));
    const [a, b] = [item("a", 60_000), item("b", 60_000)];
    timer.add(a);
    timer.add(b);
    settle(timer, b); // not first in line: the timer stays armed for a
    assert.equal(armed.length, 1);
    assert.ok(!cleared.includes(armed[0]), "one item is still live");
    settle(timer, a);
    assert.ok(cleared.includes(armed[0]), "no live item: the timer is stopped");
    assert.equal(timer.size, 0);
  } finally {
    globalThis.setTimeout = set;
    globalThis.clearTimeout = clear;
  }
});
