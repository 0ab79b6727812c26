import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CorruptSessionFileError } from "./corrupt_session_file_error.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { generateSessionKey } from "./session_key.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { recordingLogger } from "../testing/recording_logger.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "webwire-session-test-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Go's `time.RFC3339Nano` as `encoding/json` writes and `time.Time.UnmarshalJSON` reads it. */
const goTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?(Z|[+-]\d{2}:\d{2})$/;
const t0 = Timestamp.parse("2018-05-13T17:34:02.123456789+02:00");
const posix = process.platform !== "win32";

test("a created session is written in the Go default manager's format", async () => {
  await withTempDir(async (dir) => {
    const directory = join(dir, "nested", "sessions");
    const manager = new FileSessionManager({ directory });
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0, info: { user: "ada" } });
    const text = await readFile(join(directory, `${key}.wwrsess`), "utf8");
    // The bytes Go's json.Marshal(sessionFile{...}) writes for this session.
    assert.equal(
      text,
      '{"c":"2018-05-13T17:34:02.123456789+02:00","l":"2018-05-13T17:34:02.123456789+02:00",' +
        '"i":{"user":"ada"}}',
    );
    if (posix) {
      assert.equal((await stat(directory)).mode & 0o777, 0o700);
      assert.equal((await stat(join(directory, `${key}.wwrsess`))).mode & 0o777, 0o600);
    }

    const bare = generateSessionKey();
    const now = Timestamp.now();
    await manager.onSessionCreated({ key: bare, creation: now, lastLookup: now });
    const value = JSON.parse(await readFile(join(directory, `${bare}.wwrsess`), "utf8"));
    // Go writes a nil info map as null, and reads null or a missing field as nil.
    assert.deepEqual(Object.keys(value), ["c", "l", "i"]);
    assert.equal(value.i, null);
    assert.match(value.c, goTime);
    assert.match(value.l, goTime);
    assert.deepEqual(
      (await readdir(directory)).sort(),
      [`${bare}.wwrsess`, `${key}.wwrsess`].sort(),
    );
  });
});

test("a file written by Go is read with nanoseconds and offsets kept", async () => {
  await withTempDir(async (dir) => {
    const key = generateSessionKey();
    const path = join(dir, `${key}.wwrsess`);
    // As Go's DefaultSessionManager writes it: local-time creation, UTC last lookup.
    const goFile =
      '{"c":"2018-05-13T17:34:02.123456789+02:00","l":"2018-05-14T08:00:00.000000001Z",' +
      '"i":{"n":1.5,"nested":{"a":[1,"x",null,true]},"user":"ada"}}';
    await writeFile(path, goFile);
    const manager = new FileSessionManager({ directory: dir });
    const before = Date.now();
    const found = await manager.onSessionLookup(key);
    assert.ok(found !== null);
    assert.equal(found.creation.toString(), "2018-05-13T17:34:02.123456789+02:00");
    assert.equal(found.creation.nanoseconds, 123456789);
    assert.equal(found.creation.offsetMinutes, 120);
    assert.equal(found.lastLookup.toString(), "2018-05-14T08:00:00.000000001Z");
    assert.equal(found.lastLookup.nanoseconds, 1);
    assert.deepEqual(found.info, { n: 1.5, nested: { a: [1, "x", null, true] }, user: "ada" });

    const rewritten = JSON.parse(await readFile(path, "utf8"));
    assert.equal(rewritten.c, "2018-05-13T17:34:02.123456789+02:00");
    assert.match(rewritten.l, goTime);
    const lookedUp = Timestamp.parse(rewritten.l).toDate().getTime();
    assert.ok(lookedUp >= before && lookedUp <= Date.now());
    assert.deepEqual(rewritten.i, found.info);

    const bareKey = generateSessionKey();
    await writeFile(
      join(dir, `${bareKey}.wwrsess`),
      '{"c":"2018-05-13T17:34:02Z","l":"2018-05-13T17:34:02Z","i":null}',
    );
    const bare = await manager.onSessionLookup(bareKey);
    assert.ok(bare !== null);
    assert.equal(bare.info, undefined);
    assert.equal(bare.creation.toString(), "2018-05-13T17:34:02Z");
  });
});

test("a lookup returns the previous last lookup and records the new one", async () => {
  await withTempDir(async (dir) => {
    const manager = new FileSessionManager({ directory: dir });
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    const first = await manager.onSessionLookup(key);
    assert.equal(first?.lastLookup.toString(), t0.toString());
    const stored = JSON.parse(await readFile(join(dir, `${key}.wwrsess`), "utf8")).l;
    const second = await manager.onSessionLookup(key);
    assert.equal(second?.lastLookup.toString(), stored);
    assert.notEqual(stored, t0.toString());
    assert.equal(second?.creation.toString(), t0.toString());
  });
});

test("unknown sessions are not found and closing deletes the file", async () => {
  await withTempDir(async (dir) => {
    const directory = join(dir, "not-yet");
    const manager = new FileSessionManager({ directory });
    const key = generateSessionKey();
    assert.equal(await manager.onSessionLookup(key), null);
    await manager.onSessionClosed(key);
    // Neither a lookup nor a close creates the directory.
    await assert.rejects(stat(directory), { code: "ENOENT" });
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    assert.ok(await manager.onSessionLookup(key));
    await manager.onSessionClosed(key);
    assert.deepEqual(await readdir(directory), []);
    assert.equal(await manager.onSessionLookup(key), null);
    await manager.onSessionClosed(key);
  });
});

const hostileKeys = (dir: string): string[] => [
  "",
  ".",
  "..",
  "../victim",
  "..%2Fvictim",
  "..%2fvictim",
  "..\\victim",
  "sub\\..\\..\\victim",
  join(dir, "victim"),
  "/etc/passwd",
  "C:\\Windows\\win",
  "victim\0",
  "\0",
  "A".repeat(63) + "\0",
  "../" + "A".repeat(61),
  "A".repeat(62) + "/.",
  "A".repeat(10_000),
  "A".repeat(64) + "/../../victim",
  "A".repeat(64) + "\n",
];

test("hostile keys are not found and never reach the file system", async () => {
  await withTempDir(async (dir) => {
    const victimText = '{"c":"2018-05-13T17:34:02Z","l":"2018-05-13T17:34:02Z","i":{"x":1}}';
    await writeFile(join(dir, "victim.wwrsess"), victimText);
    await mkdir(join(dir, "sessions"));
    for (const isValidKey of [undefined, () => true]) {
      const manager = new FileSessionManager({ directory: join(dir, "sessions"), isValidKey });
      for (const key of hostileKeys(dir)) {
        const label = `${JSON.stringify(key.slice(0, 80))} (isValidKey ${
          isValidKey ? "lax" : "default"
        })`;
        assert.equal(await manager.onSessionLookup(key), null, label);
        await manager.onSessionClosed(key);
        await assert.rejects(
          manager.onSessionCreated({ key, creation: t0, lastLookup: t0 }),
          RangeError,
          label,
        );
      }
    }
    assert.equal(await readFile(join(dir, "victim.wwrsess"), "utf8"), victimText);
    assert.deepEqual((await readdir(dir)).sort(), ["sessions", "victim.wwrsess"]);
    assert.deepEqual(await readdir(join(dir, "sessions")), []);
  });
});

test("refused keys are refused before any file system access", async () => {
  await withTempDir(async (dir) => {
    // A "directory" that is a file: any file system access under it fails with ENOTDIR.
    const notADirectory = join(dir, "file");
    await writeFile(notADirectory, "");
    const manager = new FileSessionManager({ directory: notADirectory });
    await assert.rejects(manager.onSessionLookup(generateSessionKey()), { code: "ENOTDIR" });
    for (const key of hostileKeys(dir)) {
      assert.equal(await manager.onSessionLookup(key), null, JSON.stringify(key.slice(0, 80)));
      await manager.onSessionClosed(key);
    }
  });
});

test("a custom isValidKey admits other key forms", async () => {
  await withTempDir(async (dir) => {
    const manager = new FileSessionManager({
      directory: dir,
      isValidKey: (key) => /^[0-9a-f]{8}$/.test(key),
    });
    await manager.onSessionCreated({ key: "0123abcd", creation: t0, lastLookup: t0 });
    assert.ok(await manager.onSessionLookup("0123abcd"));
    assert.equal(await manager.onSessionLookup(generateSessionKey()), null);
    await assert.rejects(
      manager.onSessionCreated({ key: generateSessionKey(), creation: t0, lastLookup: t0 }),
      RangeError,
    );
    assert.deepEqual(await readdir(dir), ["0123abcd.wwrsess"]);
  });
});

test("a corrupt file is not found: moved aside and logged once", async () => {
  await withTempDir(async (dir) => {
    const { logger, errors } = recordingLogger();
    const manager = new FileSessionManager({ directory: dir, logger });
    for (
      const content of [
        "",
        "not json",
        "[]",
        "null",
        '{"c":"2018-05-13T17:34:02Z"}',
        '{"c":"yesterday","l":"2018-05-13T17:34:02Z"}',
        '{"c":1,"l":"2018-05-13T17:34:02Z"}',
        '{"c":"2018-05-13T17:34:02Z","l":"2018-05-13T17:34:02Z","i":[1]}',
        '{"c":"2018-05-13T17:34:02Z","l":"2018-05-13T17:34:02Z","i":"x"}',
      ]
    ) {
      const key = generateSessionKey();
      const path = join(dir, `${key}.wwrsess`);
      await writeFile(path, content);
      const logged = errors.length;
      assert.equal(await manager.onSessionLookup(key), null, content);
      assert.equal(await manager.onSessionLookup(key), null, content);
      assert.equal(errors.length, logged + 1, `logged once: ${content}`);
      const error = errors[logged].details[0];
      assert.ok(error instanceof CorruptSessionFileError, content);
      assert.equal(error.path, path);
      assert.equal(await readFile(`${path}.corrupt`, "utf8"), content, "kept for the operator");
      await assert.rejects(readFile(path), { code: "ENOENT" });
    }
  });
});

test("concurrent lookups keep the file whole and a close is not undone", async () => {
  await withTempDir(async (dir) => {
    const key = generateSessionKey();
    const info = { user: "ada", blob: "x".repeat(100_000) };
    // Two managers on one directory stand in for two processes: only the rename protects them.
    const a = new FileSessionManager({ directory: dir });
    const b = new FileSessionManager({ directory: dir });
    await a.onSessionCreated({ key, creation: t0, lastLookup: t0, info });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? a : b).onSessionLookup(key)),
    );
    for (const result of results) {
      assert.ok(result !== null);
      assert.deepEqual(result.info, info);
      assert.equal(result.creation.toString(), t0.toString());
    }
    assert.deepEqual(await readdir(dir), [`${key}.wwrsess`]);
    const file = JSON.parse(await readFile(join(dir, `${key}.wwrsess`), "utf8"));
    assert.deepEqual(file.i, info);

    const lookups = [a.onSessionLookup(key), a.onSessionLookup(key)];
    const closed = a.onSessionClosed(key);
    const after = a.onSessionLookup(key);
    assert.ok((await Promise.all(lookups)).every((r) => r !== null));
    await closed;
    assert.equal(await after, null);
    assert.deepEqual(await readdir(dir), []);
  });
});

test("durable: the same files and answers, synced (create, lookup, close)", async () => {
  await withTempDir(async (directory) => {
    const manager = new FileSessionManager({ directory, durable: true });
    assert.equal(manager.durable, true);
    assert.equal(new FileSessionManager({ directory }).durable, false);
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0, info: { user: "ada" } });
    const found = await manager.onSessionLookup(key);
    assert.equal(found?.creation.toString(), t0.toString());
    assert.deepEqual(found?.info, { user: "ada" });
    assert.deepEqual(await readdir(directory), [`${key}.wwrsess`], "no temporary file left");
    if (posix) assert.equal((await stat(join(directory, `${key}.wwrsess`))).mode & 0o777, 0o600);
    await manager.onSessionClosed(key);
    assert.deepEqual(await readdir(directory), []);
    assert.equal(await manager.onSessionLookup(key), null);
  });
});

test("durable: a directory not there yet is made, with its parents, at the first create", async () => {
  await withTempDir(async (base) => {
    const directory = join(base, "state", "sessions");
    const manager = new FileSessionManager({ directory, durable: true });
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0, info: { user: "ada" } });
    assert.deepEqual(await readdir(directory), [`${key}.wwrsess`]);
    if (posix) assert.equal((await stat(join(base, "state"))).mode & 0o777, 0o700);
    assert.deepEqual((await manager.onSessionLookup(key))?.info, { user: "ada" });
  });
});

test("temporary files a crashed process left behind are removed before the first write", async () => {
  await withTempDir(async (directory) => {
    const key = generateSessionKey();
    const old = [`.${key}.wwrsess.0011223344556677.tmp`, `.${key}.wwrsess.8899aabbccddeeff.tmp`];
    const recent = `.${key}.wwrsess.0123456789abcdef.tmp`;
    await writeFile(join(directory, old[0]), "");
    await writeFile(join(directory, old[1]), '{"c":"2018-05-13T17:3');
    await writeFile(join(directory, recent), "");
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    for (const name of old) await utimes(join(directory, name), twoMinutesAgo, twoMinutesAgo);
    // Found, and survived: lookups do not mind them.
    const manager = new FileSessionManager({ directory });
    assert.equal(await manager.onSessionLookup(key), null);
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    // Possibly being written by another process sharing the directory: left alone.
    assert.deepEqual((await readdir(directory)).sort(), [recent, `${key}.wwrsess`].sort());
  });
});

test("a restarted process that only serves restores removes them before its first write", async () => {
  await withTempDir(async (directory) => {
    const key = generateSessionKey();
    await new FileSessionManager({ directory }).onSessionCreated({
      key,
      creation: t0,
      lastLookup: t0,
    });
    const left = `.${key}.wwrsess.0123456789abcdef.tmp`;
    await writeFile(join(directory, left), '{"c":"2018-05-13T17:3');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(directory, left), hourAgo, hourAgo);
    // After the crash, no client logs in: they restore, and each lookup rewrites its file.
    const restarted = new FileSessionManager({ directory });
    assert.notEqual(await restarted.onSessionLookup(key), null);
    assert.deepEqual(await readdir(directory), [`${key}.wwrsess`]);
  });
});

test("temporary files too young at the first write are removed by a write once a minute old", async () => {
  await withTempDir(async (directory) => {
    // A restart seconds after a crash: the crash's temporary file is still young.
    const key = generateSessionKey();
    const left = `.${key}.wwrsess.0123456789abcdef.tmp`;
    await writeFile(join(directory, left), '{"c":"2018-05-13T17:3');
    let now = Date.now();
    const manager = new FileSessionManager({ directory, clock: () => now });
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    assert.ok((await readdir(directory)).includes(left), "young: maybe another writer's");
    now += 30_000;
    const other = generateSessionKey();
    await manager.onSessionCreated({ key: other, creation: t0, lastLookup: t0 });
    assert.ok((await readdir(directory)).includes(left), "still younger than a minute");
    now += 31_000;
    // A lookup rewrites the file: that write looks again.
    assert.notEqual(await manager.onSessionLookup(key), null);
    assert.deepEqual(
      (await readdir(directory)).sort(),
      [`${key}.wwrsess`, `${other}.wwrsess`].sort(),
    );
  });
});

test("hasSession says whether the file exists and leaves it as it was", async () => {
  await withTempDir(async (dir) => {
    const manager = new FileSessionManager({ directory: dir });
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    const path = join(dir, `${key}.wwrsess`);
    const before = await readFile(path, "utf8");
    assert.equal(await manager.hasSession(key), true);
    assert.equal(await readFile(path, "utf8"), before, "no lookup recorded");
    assert.equal(await manager.hasSession(generateSessionKey()), false);
    assert.equal(await manager.hasSession("../../etc/passwd"), false, "refused keys are absent");
    await manager.onSessionClosed(key);
    assert.equal(await manager.hasSession(key), false);
  });
});
