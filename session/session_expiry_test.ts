import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Timestamp } from "../protocol/timestamp.ts";
import { FileSessionManager } from "./file_session_manager.ts";
import { MemorySessionManager } from "./memory_session_manager.ts";
import { generateSessionKey } from "./session_key.ts";
import type { SessionManager } from "./session_manager.ts";

/** A clock the test moves by hand, starting at the real time (file times are real). */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

async function create(manager: SessionManager, creation = Timestamp.now()): Promise<string> {
  const key = generateSessionKey();
  await manager.onSessionCreated({ key, creation, lastLookup: creation });
  return key;
}

interface Made {
  manager: SessionManager;
  advance: (ms: number) => void;
  cleanup: () => Promise<void>;
}

const makers: Record<string, () => Promise<Made>> = {
  memory: () => {
    const clock = manualClock();
    const manager = new MemorySessionManager({ clock: clock.now });
    return Promise.resolve({ manager, advance: clock.advance, cleanup: () => Promise.resolve() });
  },
  file: async () => {
    const clock = manualClock();
    const directory = await mkdtemp(join(tmpdir(), "webwire-expiry-"));
    const manager = new FileSessionManager({ directory, clock: clock.now });
    return {
      manager,
      advance: clock.advance,
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
};

for (const [name, make] of Object.entries(makers)) {
  test(`${name} manager: a held session never idles out; released, it does after idleTimeout`, async () => {
    const { manager, advance, cleanup } = await make();
    try {
      manager.useExpiry!({ idleTimeout: 60_000, maxAge: 0 });
      const key = await create(manager);
      advance(120_000);
      assert.equal(await manager.sweepExpired!(), 0, "held: not swept");
      assert.notEqual(await manager.onSessionLookup(key), null, "held: found");
      await manager.onSessionReleased!(key);
      advance(59_000);
      assert.equal(await manager.sweepExpired!(), 0, "released 59 s ago: kept");
      assert.notEqual(await manager.onSessionLookup(key), null, "a lookup holds it again");
      await manager.onSessionReleased!(key);
      advance(61_000);
      assert.equal(await manager.onSessionLookup(key), null, "idle for 61 s: expired");
      assert.equal(await manager.onSessionLookup(key), null, "and forgotten");
    } finally {
      await cleanup();
    }
  });

  test(`${name} manager: maxAge expires a session from its creation, held or not`, async () => {
    const { manager, advance, cleanup } = await make();
    try {
      manager.useExpiry!({ idleTimeout: 0, maxAge: 3_600_000 });
      const fresh = await create(manager);
      const old = await create(manager, Timestamp.fromDate(new Date(Date.now() - 3_600_000)));
      assert.equal(await manager.onSessionLookup(old), null, "older than maxAge: not found");
      assert.notEqual(await manager.onSessionLookup(fresh), null);
      await manager.onSessionReleased!(fresh);
      advance(3_600_000);
      assert.equal(await manager.sweepExpired!(), 1, "the sweep removes it");
      assert.equal(await manager.onSessionLookup(fresh), null);
    } finally {
      await cleanup();
    }
  });

  test(`${name} manager: without expiry nothing expires`, async () => {
    const { manager, advance, cleanup } = await make();
    try {
      const key = await create(manager, Timestamp.fromDate(new Date(0)));
      await manager.onSessionReleased!(key);
      advance(365 * 24 * 3_600_000);
      assert.equal(await manager.sweepExpired!(), 0);
      assert.notEqual(await manager.onSessionLookup(key), null);
    } finally {
      await cleanup();
    }
  });
}

test("file manager: a restarted manager sweeps idle files by their modification time", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-expiry-"));
  try {
    const before = new FileSessionManager({ directory });
    const idle = await create(before);
    const recent = await create(before);
    // The process ended while both were held; one file was last touched two hours ago.
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(directory, `${idle}.wwrsess`), twoHoursAgo, twoHoursAgo);
    const after = new FileSessionManager({ directory });
    after.useExpiry({ idleTimeout: 3_600_000, maxAge: 0 });
    assert.equal(await after.sweepExpired(), 1);
    assert.deepEqual(await readdir(directory), [`${recent}.wwrsess`]);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("file manager: release sets the file's modification time; stale temporary files go", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-expiry-"));
  try {
    const manager = new FileSessionManager({ directory });
    const key = await create(manager);
    const path = join(directory, `${key}.wwrsess`);
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path, old, old);
    await manager.onSessionReleased(key);
    assert.ok(Date.now() - (await stat(path)).mtimeMs < 10_000, "touched on release");

    // Left over by a crash between write and rename: an old one and one being written now.
    const stale = join(directory, `.${key}.wwrsess.0011223344556677.tmp`);
    const fresh = join(directory, `.${key}.wwrsess.8899aabbccddeeff.tmp`);
    await writeFile(stale, "");
    await writeFile(fresh, "{");
    await utimes(stale, old, old);
    assert.equal(await manager.sweepExpired(), 0);
    assert.deepEqual(
      (await readdir(directory)).sort(),
      [`${key}.wwrsess`, fresh.slice(directory.length + 1)].sort(),
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("file manager: a sweep looks at a bounded number of files and goes on where it stopped", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-expiry-"));
  try {
    const clock = manualClock();
    const manager = new FileSessionManager({ directory, clock: clock.now });
    manager.useExpiry({ idleTimeout: 1000, maxAge: 0 });
    const keys = await Promise.all(Array.from({ length: 1500 }, () => create(manager)));
    await Promise.all(keys.map((key) => manager.onSessionReleased(key)));
    clock.advance(5000);
    assert.equal(await manager.sweepExpired(), 1000, "the first sweep stops at 1 000 files");
    assert.equal(await manager.sweepExpired(), 500, "the next one takes the rest");
    assert.deepEqual(await readdir(directory), []);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test("file manager: sessions held until a crash stay restorable after it, for the idle timeout", async () => {
  const directory = await mkdtemp(join(tmpdir(), "webwire-expiry-"));
  try {
    const expiry = { idleTimeout: 400, maxAge: 0 };
    const crashed = new FileSessionManager({ directory });
    crashed.useExpiry(expiry);
    const key = await create(crashed); // held by the process that made it
    // Held for longer than the idle timeout, with the sweeps a server runs meanwhile.
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await crashed.sweepExpired();
    }
    // The process ends without releasing it; a new one starts and sweeps at once.
    const restarted = new FileSessionManager({ directory });
    restarted.useExpiry(expiry);
    assert.equal(await restarted.sweepExpired(), 0, "in use until the crash: not idle");
    assert.notEqual(await restarted.onSessionLookup(key), null);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
