// The dead-link check's timer runs only while requests wait: an idle connection wakes nothing
// up (phones), and the check comes back with the next request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SilenceWatch } from "./silence_watch.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("no look while nothing waits; a wake looks again and finds the silence", async () => {
  let since: number | undefined;
  let looks = 0;
  const silences: number[] = [];
  const watch = new SilenceWatch(100, () => (looks++, since), (silentFor) => {
    silences.push(silentFor);
  });
  try {
    const idleLooks = looks; // the constructor's own question
    await delay(250);
    assert.equal(looks, idleLooks, "idle: the timer does not run");

    since = performance.now();
    watch.wake();
    await delay(60);
    assert.ok(looks > idleLooks, "waiting: it looks");
    since = undefined; // answered
    await delay(30);
    const pausedAt = looks;
    await delay(150);
    assert.equal(looks, pausedAt, "nothing waits again: it looks no more");
    assert.deepEqual(silences, []);

    since = performance.now();
    watch.wake();
    await delay(400);
    assert.equal(silences.length, 1, "the silence is found once");
    // At least the timeout; the bound above only fails a check that never stops looking.
    assert.ok(silences[0] >= 100 && silences[0] < 2000, `after ${silences[0]} ms`);
  } finally {
    watch.stop();
  }
});

test("a message heard meanwhile puts the silence off", async () => {
  const since = performance.now();
  const silences: number[] = [];
  const watch = new SilenceWatch(100, () => since, (silentFor) => void silences.push(silentFor));
  try {
    const chatter = setInterval(() => watch.heard(), 20);
    await delay(300);
    clearInterval(chatter);
    assert.deepEqual(silences, []);
    await delay(250);
    assert.equal(silences.length, 1);
  } finally {
    watch.stop();
  }
});
