import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  DefaultSessionKeyGenerator,
  generateSessionKey,
  isDefaultSessionKey,
} from "./session_key.ts";

test("keys are 64 base64url characters that decode to 48 bytes", () => {
  for (let n = 0; n < 100; n++) {
    const key = generateSessionKey();
    assert.match(key, /^[A-Za-z0-9_-]{64}$/);
    const bytes = Buffer.from(key, "base64url");
    assert.equal(bytes.length, 48);
    // Re-encoding the bytes gives the key back: the mapping is standard base64url.
    assert.equal(bytes.toString("base64url"), key);
    assert.equal(bytes.toString("base64").replaceAll("+", "-").replaceAll("/", "_"), key);
  }
});

test("keys use the whole alphabet and do not repeat", () => {
  const keys = new Set<string>();
  const seen = new Set<string>();
  for (let n = 0; n < 500; n++) {
    const key = new DefaultSessionKeyGenerator().generate();
    keys.add(key);
    for (const c of key) seen.add(c);
  }
  assert.equal(keys.size, 500);
  // 32 000 random characters all but certainly cover all 64; a wrong alphabet would not.
  assert.equal(seen.size, 64);
  assert.ok(seen.has("-") && seen.has("_") && !seen.has("+") && !seen.has("/"));
});

test("isDefaultSessionKey accepts exactly 64 base64url characters", () => {
  assert.ok(isDefaultSessionKey(generateSessionKey()));
  assert.ok(isDefaultSessionKey("-_" + "Az09".repeat(15) + "xy"));
  for (
    const bad of [
      "",
      "A".repeat(63),
      "A".repeat(65),
      "A".repeat(62) + "==",
      "A".repeat(63) + "+",
      "A".repeat(63) + "/",
      "../" + "A".repeat(61),
      "A".repeat(63) + "\0",
      "A".repeat(63) + "\n",
      "A".repeat(63) + "é",
      "A".repeat(64) + "\n",
    ]
  ) {
    assert.equal(isDefaultSessionKey(bad), false, JSON.stringify(bad));
  }
});
