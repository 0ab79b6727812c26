// webStorageSessionStorage shares one item between the pages of an origin (tabs on one
// localStorage): a page whose session ends must not remove the key another tab stored since.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type WebStorageLike, webStorageSessionStorage } from "./session_storage.ts";

/** One origin's storage, as `localStorage` is for all its tabs. */
function originStorage(): WebStorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  };
}

test("a tab that logs out leaves the key another tab stored since", () => {
  const storage = originStorage();
  const dave = webStorageSessionStorage(storage);
  const erin = webStorageSessionStorage(storage);
  dave.set("dave's key");
  erin.set("erin's key"); // the other tab logs in as someone else
  dave.set(null); // dave logs out
  assert.equal(storage.items.get("webwire-session"), "erin's key");
  erin.set(null);
  assert.equal(storage.items.has("webwire-session"), false);
});

test("a tab removes the key it read when its session ends", () => {
  const storage = originStorage();
  webStorageSessionStorage(storage).set("ada's key"); // stored before a reload
  const reloaded = webStorageSessionStorage(storage);
  assert.equal(reloaded.get(), "ada's key");
  reloaded.set(null); // the restore found the session gone
  assert.equal(storage.items.has("webwire-session"), false);
});

test("two tabs of one user both log out: the second finds nothing to remove", () => {
  const storage = originStorage();
  const first = webStorageSessionStorage(storage);
  const second = webStorageSessionStorage(storage);
  first.set("ada's key");
  assert.equal(second.get(), "ada's key");
  second.set(null);
  first.set(null);
  assert.equal(storage.items.has("webwire-session"), false);
});
