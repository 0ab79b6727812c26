// The handshake's synchronous SHA-1 against the runtime's own (crypto.subtle), at every length
// around the block boundaries, and against FIPS 180-4's published examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sha1 } from "./sha1.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

test("FIPS 180-4's examples", () => {
  assert.equal(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(
    hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  );
  assert.equal(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
});

test("equal to crypto.subtle's SHA-1 for every length from 0 to 200 bytes", async () => {
  for (let length = 0; length <= 200; length++) {
    const text = Array.from({ length }, (_, i) => String.fromCharCode((i * 37 + length) & 0xff))
      .join("");
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
    assert.equal(hex(sha1(text)), hex(expected), `length ${length}`);
  }
});

test("calls in a row do not see each other's state", () => {
  const first = hex(sha1("x".repeat(100)));
  sha1("y".repeat(63));
  assert.equal(hex(sha1("x".repeat(100))), first);
});
