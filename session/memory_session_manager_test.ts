import { test } from "node:test";
import assert from "node:assert/strict";
import { MemorySessionManager } from "./memory_session_manager.ts";
import { Timestamp } from "../protocol/timestamp.ts";

const t0 = Timestamp.parse("2020-01-01T00:00:00.000000001Z");

test("a lookup returns the stored values and records the lookup for the next one", () => {
  const manager = new MemorySessionManager();
  manager.onSessionCreated({ key: "k", creation: t0, lastLookup: t0, info: { user: "ada" } });
  assert.equal(manager.size, 1);
  const before = Date.now();
  const first = manager.onSessionLookup("k");
  assert.ok(first !== null);
  assert.equal(first.creation.toString(), t0.toString());
  assert.equal(first.lastLookup.toString(), t0.toString());
  assert.deepEqual(first.info, { user: "ada" });
  const second = manager.onSessionLookup("k");
  assert.ok(second !== null);
  assert.equal(second.creation.toString(), t0.toString());
  assert.ok(second.lastLookup.toDate().getTime() >= before);
  assert.ok(second.lastLookup.toDate().getTime() <= Date.now());
});

test("unknown keys are not found and closing forgets a session", () => {
  const manager = new MemorySessionManager();
  assert.equal(manager.onSessionLookup("nope"), null);
  manager.onSessionCreated({ key: "a", creation: t0, lastLookup: t0 });
  manager.onSessionCreated({ key: "b", creation: t0, lastLookup: t0 });
  assert.equal(manager.size, 2);
  manager.onSessionClosed("a");
  manager.onSessionClosed("a");
  manager.onSessionClosed("never");
  assert.equal(manager.size, 1);
  assert.equal(manager.onSessionLookup("a"), null);
  const b = manager.onSessionLookup("b");
  assert.ok(b !== null);
  assert.equal(b.info, undefined);
  assert.equal("info" in b, false);
});

test("info is copied in and out", () => {
  const manager = new MemorySessionManager();
  const info = { user: "ada", roles: ["admin"] };
  manager.onSessionCreated({ key: "k", creation: t0, lastLookup: t0, info });
  info.roles.push("root");
  const found = manager.onSessionLookup("k");
  assert.deepEqual(found?.info, { user: "ada", roles: ["admin"] });
  (found?.info?.roles as string[]).push("root");
  assert.deepEqual(manager.onSessionLookup("k")?.info, { user: "ada", roles: ["admin"] });
});

test("info comes back as its JSON, as from the file and Redis managers", () => {
  const manager = new MemorySessionManager();
  const since = new Date(Date.UTC(2026, 0, 2));
  // What the type forbids but a caller may pass: JSON drops a function, writes a Date as text.
  const info = { user: "ada", since, greet: () => "hi" } as unknown as Record<string, string>;
  manager.onSessionCreated({ key: "k", creation: t0, lastLookup: t0, info });
  assert.deepEqual(manager.onSessionLookup("k")?.info, {
    user: "ada",
    since: "2026-01-02T00:00:00.000Z",
  });
});

test("hasSession says whether a session is stored and records no lookup", () => {
  const manager = new MemorySessionManager();
  manager.onSessionCreated({ key: "k", creation: t0, lastLookup: t0 });
  assert.equal(manager.hasSession("k"), true);
  assert.equal(manager.hasSession("nope"), false);
  assert.equal(manager.onSessionLookup("k")?.lastLookup.toString(), t0.toString(), "unchanged");
  manager.onSessionClosed("k");
  assert.equal(manager.hasSession("k"), false);
});
