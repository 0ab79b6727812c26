import { test } from "node:test";
import assert from "node:assert/strict";
import { Payload } from "../protocol/payload.ts";
import { CanceledError, TimeoutError } from "./errors.ts";
import { PendingRequests } from "./pending_requests.ts";

const bytes = new Uint8Array(9);

test("settles requests by key; an unknown or settled key finds nothing", async () => {
  const pending = new PendingRequests();
  const one = pending.add(1, bytes, { timeout: 1000 });
  const two = pending.add(2, bytes, { timeout: 1000 });
  assert.equal(pending.size, 2);
  assert.ok(pending.settle(2, Payload.from("two")));
  assert.ok(pending.settle(1, new Error("one failed")));
  assert.equal((await two).text(), "two");
  await assert.rejects(one, /one failed/);
  assert.equal(pending.settle(1, Payload.from("late")), false);
  assert.equal(pending.settle(99, Payload.from("stranger")), false);
  assert.equal(pending.size, 0);
});

test("times out and frees the slot", async () => {
  const pending = new PendingRequests();
  const started = Date.now();
  const error = await pending.add(1, bytes, { timeout: 30 }).catch((e) => e);
  assert.ok(error instanceof TimeoutError && error.timeout === 30);
  assert.ok(Date.now() - started >= 25);
  assert.equal(pending.size, 0);
  assert.equal(pending.settle(1, Payload.from("late")), false);
});

test("Infinity and 0 mean no timeout", async () => {
  const pending = new PendingRequests();
  const forever = pending.add(1, bytes, { timeout: Infinity });
  const zero = pending.add(2, bytes, { timeout: 0 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(pending.size, 2);
  pending.rejectAll(new Error("end"));
  await assert.rejects(forever, /end/);
  await assert.rejects(zero, /end/);
});

test("an AbortSignal cancels at once with its reason as cause", async () => {
  const pending = new PendingRequests();
  const controller = new AbortController();
  const reply = pending.add(1, bytes, { timeout: 1000, signal: controller.signal });
  const reason = new Error("user left");
  controller.abort(reason);
  const error = await reply.catch((e) => e);
  assert.ok(error instanceof CanceledError);
  assert.equal(error.cause, reason);
  assert.equal(pending.size, 0);
  const early = await pending.add(2, bytes, { timeout: 1000, signal: AbortSignal.abort("x") })
    .catch((e) => e);
  assert.ok(early instanceof CanceledError && early.cause === "x");
  assert.equal(pending.size, 0);
});

test("tells sent from unsent requests", async () => {
  const pending = new PendingRequests();
  const sent = pending.add(1, bytes, { timeout: 1000 }, true);
  const marked = pending.add(2, bytes, { timeout: 1000 });
  const waiting = pending.add(3, bytes, { timeout: 1000 });
  pending.markSent(2);
  assert.deepEqual(pending.unsent().map((r) => r.key), [3]);
  pending.rejectSent(new Error("dropped"));
  await assert.rejects(sent, /dropped/);
  await assert.rejects(marked, /dropped/);
  assert.equal(pending.size, 1);
  assert.ok(pending.settle(3, Payload.from("ok")));
  assert.equal((await waiting).text(), "ok");
});
