import { test } from "node:test";
import assert from "node:assert/strict";
import { until } from "../testing/until.ts";
import { Heartbeat, heartbeatInterval } from "./heartbeat.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("the interval is three quarters of the read timeout, as in the reference", () => {
  assert.equal(heartbeatInterval(60_000), 45_000);
  assert.equal(heartbeatInterval(1000), 750);
  assert.equal(heartbeatInterval(1001), 751);
});

test("a tiny announced read timeout does not make the client beat continuously", () => {
  assert.equal(heartbeatInterval(3), 100);
  assert.equal(heartbeatInterval(133), 100);
  assert.equal(heartbeatInterval(134), 101);
  assert.equal(heartbeatInterval(0), 0, "a server without read timeout needs no heartbeat");
});

test("an idle connection beats once per interval", async () => {
  let beats = 0;
  const started = performance.now();
  const heartbeat = new Heartbeat(40, () => beats++);
  await until(() => beats >= 2, "two beats");
  heartbeat.stop();
  // At most one per interval: a stalled process beats late, never more often.
  const elapsed = performance.now() - started;
  assert.ok(beats <= Math.floor(elapsed / 40) + 1, `${beats} beats in ${elapsed} ms`);
  const stopped = beats;
  await delay(100);
  assert.equal(beats, stopped);
});

test("outgoing messages postpone the heartbeat", async () => {
  // Touched every 20 ms for longer than the interval: no beat, unless the process stalled
  // for the whole interval between two touches (then a beat is due).
  let beats = 0;
  const heartbeat = new Heartbeat(400, () => beats++);
  let longestGap = 0;
  let touched = performance.now();
  for (let i = 0; i < 30; i++) {
    await delay(20);
    longestGap = Math.max(longestGap, performance.now() - touched);
    heartbeat.touch(touched = performance.now());
  }
  if (longestGap < 400) assert.equal(beats, 0, `touched at most ${longestGap} ms apart`);
  await until(() => beats >= 1, "a beat once the touches stopped");
  heartbeat.stop();
});

test("an interval of 0 disables the heartbeat", async () => {
  let beats = 0;
  const heartbeat = new Heartbeat(0, () => beats++);
  await delay(30);
  heartbeat.stop();
  assert.equal(beats, 0);
});
