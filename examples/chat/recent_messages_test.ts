// The memory the chat's recent messages hold, measured: the byte budget bounds it whatever the
// messages are, where 1000 rooms of 100 messages alone held over 200 MB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { heapAfterGc } from "../../testing/heap_after_gc.ts";
import type { ChatMessage } from "./contract.ts";
import { messageBytes, RecentMessages } from "./recent_messages.ts";

/** A message of `text`, its strings fresh (not shared with any other message's). */
function fresh(i: number, text: string): ChatMessage {
  return {
    id: crypto.randomUUID(),
    name: JSON.parse(JSON.stringify(`\u{1D49C}${i % 10}`.padEnd(24, "n"))),
    text: JSON.parse(JSON.stringify(`${i} ${text}`)),
    time: new Date().toISOString(),
  };
}

/** A message of 500 astral characters (1000 UTF-16 units): the largest a user may send. */
function largest(i: number): ChatMessage {
  return fresh(i, "\u{1D49C}".repeat(500 - `${i} `.length));
}

test("1000 rooms of 100 of the largest messages stay within the default 16 MiB", () => {
  const before = heapAfterGc();
  const recent = new RecentMessages();
  for (let i = 0; i < 100_000; i++) recent.add(`room${Math.floor(i / 100)}`, largest(i));
  const held = heapAfterGc() - before;
  assert.ok(recent.bytes <= 16 * 1024 * 1024, `${recent.bytes} estimated bytes`);
  assert.ok(held < 20 * 1024 * 1024, `${(held / 1024 / 1024).toFixed(1)} MiB held`);
  // Whole rooms went, the ones spoken in least recently: those kept have all their 100.
  assert.ok(recent.rooms > 50 && recent.rooms < 1000, `${recent.rooms} rooms`);
  assert.equal(recent.of("room999").length, 100);
  assert.equal(recent.of("room0").length, 0);
});

test("the estimate is an upper bound of the heap a message holds", () => {
  for (const text of ["", "a".repeat(490), "\u{1D49C}".repeat(490)]) {
    const before = heapAfterGc();
    const kept = Array.from({ length: 5000 }, (_, i) => fresh(i, text));
    const each = (heapAfterGc() - before) / kept.length;
    assert.ok(each <= messageBytes(kept[0]), `${each.toFixed(0)} bytes, text ${text.length} units`);
  }
});

test("a room alone past the budget keeps its last messages that fit, at least one", () => {
  const recent = new RecentMessages({ bytes: 1 });
  for (let i = 0; i < 3; i++) recent.add("lobby", largest(i));
  assert.equal(recent.of("lobby").length, 1);
  assert.ok(recent.of("lobby")[0].text.startsWith("2 "));
  assert.equal(recent.bytes, messageBytes(largest(2)));
});
