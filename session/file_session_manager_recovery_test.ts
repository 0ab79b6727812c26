// The file session manager getting over what happens to its files: calls racing on one key, a
// session directory removed while it runs, and files it cannot touch or remove.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { silentLogger } from "../protocol/logger.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { generateSessionKey } from "./session_key.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "webwire-session-recovery-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const t0 = Timestamp.parse("2018-05-13T17:34:02.123456789+02:00");
const posix = process.platform !== "win32";

/** Sets a file's modification time `ms` milliseconds back. */
async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

/** Whether `chattr +i` works here (Linux, as root, on a file system that has the flag). */
async function immutableFilesWork(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "webwire-chattr-"));
  const file = join(dir, "probe");
  try {
    await writeFile(file, "");
    execFileSync("chattr", ["+i", file], { stdio: "ignore" });
    execFileSync("chattr", ["-i", file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a close or release called while a lookup of the key is queued leaves it unheld", async () => {
  await withTempDir(async (directory) => {
    const manager = new FileSessionManager({ directory });
    manager.useExpiry({ idleTimeout: 60_000, maxAge: 0 });
    const keys: string[] = [];
    for (const end of ["close", "release"] as const) {
      const key = generateSessionKey();
      keys.push(key);
      await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
      await manager.onSessionReleased(key);
      // A client restores while the session is closed (or its last connection leaves).
      const lookup = manager.onSessionLookup(key);
      await (end === "close" ? manager.onSessionClosed(key) : manager.onSessionReleased(key));
      assert.notEqual(await lookup, null, end);
    }
    // Idle files of these keys (a release's, another process's) expire: nothing holds them.
    for (const key of keys) {
      const path = join(directory, `${key}.wwrsess`);
      await writeFile(path, '{"c":"2018-05-13T17:34:02Z","l":"2018-05-13T17:34:02Z","i":null}');
      await age(path, 120_000);
    }
    assert.equal(await manager.sweepExpired(), 2);
    assert.deepEqual(await readdir(directory), []);
  });
});

test("a session directory removed while the manager runs is made again by the next create", async () => {
  await withTempDir(async (dir) => {
    const directory = join(dir, "sessions");
    const manager = new FileSessionManager({ directory });
    const first = generateSessionKey();
    await manager.onSessionCreated({ key: first, creation: t0, lastLookup: t0 });
    // An operator logs everyone out.
    await rm(directory, { recursive: true });
    assert.equal(await manager.onSessionLookup(first), null);
    await assert.rejects(stat(directory), { code: "ENOENT" }, "a lookup does not make it");
    const next = generateSessionKey();
    await manager.onSessionCreated({ key: next, creation: t0, lastLookup: t0 });
    assert.deepEqual(await readdir(directory), [`${next}.wwrsess`]);
    if (posix) assert.equal((await stat(directory)).mode & 0o777, 0o700);
    assert.notEqual(await manager.onSessionLookup(next), null);
  });
});

test("durable: closing a session whose file or directory is gone is fine", async () => {
  await withTempDir(async (dir) => {
    const directory = join(dir, "not-yet");
    const manager = new FileSessionManager({ directory, durable: true });
    await manager.onSessionClosed(generateSessionKey());
    await assert.rejects(stat(directory), { code: "ENOENT" }, "a close does not make it");
    const key = generateSessionKey();
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    await manager.onSessionClosed(key);
    await manager.onSessionClosed(key);
    assert.deepEqual(await readdir(directory), []);
  });
});

test("a sweep goes on past a held session's file it cannot touch", {
  skip: !posix && "needs symbolic links",
}, async () => {
  await withTempDir(async (directory) => {
    const manager = new FileSessionManager({ directory });
    manager.useExpiry({ idleTimeout: 60_000, maxAge: 0 });
    const held = generateSessionKey();
    const idle = generateSessionKey();
    await manager.onSessionCreated({ key: held, creation: t0, lastLookup: t0 });
    await manager.onSessionCreated({ key: idle, creation: t0, lastLookup: t0 });
    await manager.onSessionReleased(idle);
    await age(join(directory, `${idle}.wwrsess`), 120_000);
    // The held session's file turns into a link to itself: setting its time fails (ELOOP).
    const heldPath = join(directory, `${held}.wwrsess`);
    await rm(heldPath);
    await symlink(`${held}.wwrsess`, heldPath);
    assert.equal(await manager.sweepExpired(), 1);
    assert.deepEqual(await readdir(directory), [`${held}.wwrsess`]);
    assert.equal(await manager.sweepExpired(), 0, "and again next time");
  });
});

test("a sweep removes the other expired sessions when one cannot be removed", {
  skip: !(await immutableFilesWork()) && "needs chattr +i (Linux, as root)",
}, async () => {
  await withTempDir(async (directory) => {
    const forgotten: string[] = [];
    const manager = new FileSessionManager({ directory });
    manager.useExpiry({ idleTimeout: 0, maxAge: 60_000, forgotten: (key) => forgotten.push(key) });
    const keys = [generateSessionKey(), generateSessionKey(), generateSessionKey()].sort();
    for (const key of keys) {
      await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
      await manager.onSessionReleased(key);
    }
    // The first in the sweep's order cannot be removed, even by root (EPERM).
    const stuck = join(directory, `${keys[0]}.wwrsess`);
    execFileSync("chattr", ["+i", stuck]);
    try {
      assert.equal(await manager.sweepExpired(), 2, "only the sessions removed count");
      assert.deepEqual(forgotten, keys.slice(1));
      assert.deepEqual(await readdir(directory), [`${keys[0]}.wwrsess`]);
      assert.equal(await manager.sweepExpired(), 0);
    } finally {
      execFileSync("chattr", ["-i", stuck]);
    }
  });
});

test("a FIFO named as a session file is not read: the sweep goes on, its lookup finds none", {
  skip: !posix && "needs mkfifo",
}, async () => {
  await withTempDir(async (directory) => {
    const manager = new FileSessionManager({ directory, logger: silentLogger });
    manager.useExpiry({ idleTimeout: 0, maxAge: 60_000, forgotten: () => {} });
    const [fifoKey, expiredKey] = [generateSessionKey(), generateSessionKey()].sort();
    await manager.onSessionCreated({ key: expiredKey, creation: t0, lastLookup: t0 });
    await manager.onSessionReleased(expiredKey);
    // Before the expired session in the sweep's order: a read of it would wait for a writer.
    execFileSync("mkfifo", [join(directory, `${fifoKey}.wwrsess`)]);
    assert.equal(await manager.sweepExpired(), 1);
    assert.deepEqual(await readdir(directory), [`${fifoKey}.wwrsess`]);
    // Not a session: moved aside, at once (never opened, so no writer is waited for).
    assert.equal(await manager.onSessionLookup(fifoKey), null);
    assert.deepEqual(await readdir(directory), [`${fifoKey}.wwrsess.corrupt`]);
  });
});

test("an isValidKey that throws rejects the call, never throws at it", async () => {
  await withTempDir(async (directory) => {
    const manager = new FileSessionManager({
      directory,
      isValidKey: () => {
        throw new Error("the application's check failed");
      },
    });
    const key = generateSessionKey();
    const calls = [
      () => manager.onSessionCreated({ key, creation: t0, lastLookup: t0 }),
      () => manager.onSessionLookup(key),
      () => manager.onSessionClosed(key),
      () => manager.onSessionReleased(key),
    ];
    for (const call of calls) {
      let pending: Promise<unknown> | undefined;
      assert.doesNotThrow(() => void (pending = call()));
      await assert.rejects(pending!, /the application's check failed/);
    }
  });
});

test("a sweep goes on past a stray file whose key the application's isValidKey throws on", async () => {
  await withTempDir(async (directory) => {
    const key = generateSessionKey();
    const manager = new FileSessionManager({
      directory,
      isValidKey: (candidate) => {
        if (candidate.startsWith("stray")) throw new Error("the application's check failed");
        return candidate.length === 64;
      },
    });
    manager.useExpiry({ idleTimeout: 0, maxAge: 60_000, forgotten: () => {} });
    await manager.onSessionCreated({ key, creation: t0, lastLookup: t0 });
    await manager.onSessionReleased(key);
    await writeFile(join(directory, "stray-file.wwrsess"), "{}");
    assert.equal(await manager.sweepExpired(), 1);
    assert.deepEqual(await readdir(directory), ["stray-file.wwrsess"]);
  });
});
