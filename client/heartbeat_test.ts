import { test } from "node:test";
import assert from "node:assert/strict";
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
  const heartbeat = new Heartbeat(40, () => beats++);
  await delay(190);
  heartbeat.stop();
  assert.ok(beats >= 2 && beats <= 5, `beats: ${beats}`);
  const stopped = beats;
  await delay(100);
  assert.equal(beats, stopped);
});

test("outgoing messages postpone the heartbeat", async () => {
  let beats = 0;
  const heartbeat = new Heartbeat(100, () => beats++);
  for (let i = 0; i < 8; i++) {
    await delay(20);
    heartbeat.touch();
  }
  assert.equal(beats, 0);
  await delay(200);
  heartbeat.stop();
  assert.ok(beats >= 1, `beats: ${beats}`);
});

test("an interval of 0 disables the heartbeat", async () => {
  let beats = 0;
  const heartbeat = new Heartbeat(0, () => beats++);
  await delay(30);
  heartbeat.stop();
  assert.equal(beats, 0);
});
