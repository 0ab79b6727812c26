// The signals that arrive while a new connection's session restore is pending are held until
// `connected`; they are bounded in count and bytes: past a bound the oldest are dropped, and
// the drops are logged (1st, 10th, 100th, ...).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { GatedManager } from "../testing/gated_session_manager.ts";
import { recordingLogger } from "../testing/client_support.ts";
import { startServer } from "../testing/serve.ts";
import { storedSession } from "../testing/stored_session.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";

/**
 * Connects a client with a stored session to a server whose `onClientConnected` sends
 * `count` signals of `size` bytes while the restore's lookup waits; returns the indexes of the
 * signals the client fired, and its warnings.
 */
async function heldSignals(
  count: number,
  size: number,
  options: ClientOptions = {},
): Promise<{ fired: number[]; warnings: string[] }> {
  const manager = new GatedManager(new MemorySessionManager());
  let sent = false;
  const running = await startServer({
    logger: silentLogger,
    sessionManager: manager,
    onClientConnected: (connection) => {
      if (manager.holdLookupOf === undefined) return; // the login's connection
      const filler = "x".repeat(size);
      for (let i = 0; i < count; i++) connection.signal("tick", `${i} ${filler}`);
      sent = true;
    },
    onRequest: async ({ connection }) => void await connection.createSession(),
  });
  const storage = await storedSession(running);
  manager.holdLookupOf = (await storage.get())!;
  const log = recordingLogger();
  const fired: number[] = [];
  const client = new Client(running.url, {
    logger: log.logger,
    sessionStorage: storage,
    onSignal: (signal) => void fired.push(Number(signal.payload.text().split(" ")[0])),
    ...options,
  });
  try {
    const connected = client.connect();
    await manager.lookupStarted.opened;
    await until(() => sent, "the signals sent");
    // They went out before the restore's reply, so all arrive while it is pending.
    manager.lookupGate.open();
    await connected;
    assert.ok(client.session !== null, "the session was restored");
    await new Promise((resolve) => setTimeout(resolve, 50)); // nothing more comes
    return { fired, warnings: log.warnings };
  } finally {
    await client.close();
    await running.close();
  }
}

function newest(count: number, of: number): number[] {
  return Array.from({ length: count }, (_, i) => of - count + i);
}

describe("signals held during a session restore", () => {
  it("at most 1024 by default: the oldest are dropped, the drops logged", async () => {
    const { fired, warnings } = await heldSignals(3000, 100);
    assert.deepEqual(fired, newest(1024, 3000));
    const drops = warnings.filter((line) => line.includes("dropped"));
    assert.equal(drops.length, 4, drops.join("\n")); // the 1st, 10th, 100th and 1000th
    assert.match(drops[0], /dropped the oldest signal held .* more than 1024 signals or 2 MiB/);
    assert.match(drops[3], /\(1000 so far\)/);
  });

  it("at most 2 MiB by default (name and payload bytes)", async () => {
    const { fired } = await heldSignals(800, 4096);
    // 4096 + a few bytes each: 511 fit in 2 MiB.
    assert.deepEqual(fired, newest(511, 800));
  });

  it("the option sets both bounds; below them nothing is dropped", async () => {
    const few = await heldSignals(30, 10, { heldSignals: { maxCount: 10 } });
    assert.deepEqual(few.fired, newest(10, 30));
    const small = await heldSignals(30, 1000, { heldSignals: { maxBytes: 5000 } });
    assert.deepEqual(small.fired, newest(4, 30));
    const all = await heldSignals(1000, 100);
    assert.deepEqual(all.fired, newest(1000, 1000));
    assert.deepEqual(all.warnings, []);
  });
});
