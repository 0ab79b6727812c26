// Go writes its zero time (0001-01-01T00:00:00Z) for a time never set; the years 0000 to 0099
// must stay those years through a lookup, which rewrites the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSessionManager } from "./file_session_manager.ts";
import { formatSessionFile, parseSessionFile } from "./session_file_format.ts";
import { generateSessionKey } from "./session_key.ts";

test("a Go file with the zero time keeps it through a lookup", async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-zero-time-test-"));
  try {
    const key = generateSessionKey();
    const path = join(dir, `${key}.wwrsess`);
    await writeFile(
      path,
      '{"c":"0001-01-01T00:00:00Z","l":"0050-06-01T12:00:00.5+05:30","i":null}',
    );
    const found = await new FileSessionManager({ directory: dir }).onSessionLookup(key);
    assert.ok(found !== null);
    assert.equal(found.creation.toDate().getUTCFullYear(), 1);
    assert.equal(found.creation.toString(), "0001-01-01T00:00:00Z");
    assert.equal(found.lastLookup.toString(), "0050-06-01T12:00:00.5+05:30");
    const rewritten = JSON.parse(await readFile(path, "utf8"));
    assert.equal(rewritten.c, "0001-01-01T00:00:00Z", "the creation is kept as it was");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("session file text with early years round-trips exactly", () => {
  const text = '{"c":"0001-01-01T00:00:00Z","l":"0099-12-31T23:59:59.999999999-01:00","i":null}';
  assert.equal(formatSessionFile(parseSessionFile(text, "/x.wwrsess")), text);
});
