import { test } from "node:test";
import assert from "node:assert/strict";
import { cachedLatin1Text } from "./name_cache.ts";
import { latin1Text } from "./text.ts";

test("cached names equal freshly decoded ones, through collisions and replacements", () => {
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const names: Uint8Array[] = [];
  for (let i = 0; i < 2000; i++) {
    const bytes = new Uint8Array(Math.floor(random() * 70));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
    names.push(bytes);
  }
  for (let round = 0; round < 3; round++) {
    for (const name of names) {
      assert.equal(cachedLatin1Text(name, 0, name.length), latin1Text(name, 0, name.length));
    }
  }
});

test("names that differ in one byte or in length are told apart", () => {
  const a = new TextEncoder().encode("users.get");
  const b = new TextEncoder().encode("users.set");
  assert.equal(cachedLatin1Text(a, 0, a.length), "users.get");
  assert.equal(cachedLatin1Text(b, 0, b.length), "users.set");
  assert.equal(cachedLatin1Text(a, 0, a.length - 1), "users.ge");
  assert.equal(cachedLatin1Text(a, 1, a.length), "sers.get");
  a[0] = 0x55;
  assert.equal(cachedLatin1Text(a, 0, a.length), "Users.get", "a reused buffer is read again");
});

test("names of one length found alternately, and a recent slot taken by another length", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const pool = ["users.get", "users.set", "users.del", "a", "ab", "abc", "chat.send", "x.y"]
    .map(encode);
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 20_000; i++) {
    const name = pool[Math.floor(random() * pool.length)];
    // Now and then a name of random length and bytes, which may take a recent slot.
    const other = new Uint8Array(1 + Math.floor(random() * 12));
    for (let j = 0; j < other.length; j++) other[j] = 32 + Math.floor(random() * 95);
    assert.equal(cachedLatin1Text(other, 0, other.length), latin1Text(other, 0, other.length));
    assert.equal(cachedLatin1Text(name, 0, name.length), latin1Text(name, 0, name.length));
  }
});
