// A session storage whose get() never settles (an IndexedDB open blocked by another tab, say)
// must not hold the client in `connecting` for good, on an open socket kept alive by heartbeats:
// the read is given as long as a restore, then the client goes on without the stored key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "../testing/serve.ts";
import { recordingLogger, testRequestHandler } from "../testing/client_support.ts";
import { until } from "../testing/until.ts";
import { Client } from "./client.ts";
import { DisconnectedError } from "./errors.ts";
import type { SessionStorage } from "./session_storage.ts";

/** A storage that never answers, and counts its reads and writes. */
function hungStorage(): SessionStorage & { reads: number; writes: number } {
  const storage = {
    reads: 0,
    writes: 0,
    get: () => {
      storage.reads++;
      return new Promise<string | null>(() => {});
    },
    set: () => void storage.writes++,
  };
  return storage;
}

/** `attempt`, or a rejection naming the client's status if it has not ended within 3 s. */
function within3s<T>(attempt: Promise<T>, client: Client): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    const message = () => `the attempt did not end within 3 s (status ${client.status})`;
    timer = setTimeout(() => reject(new Error(message())), 3000);
  });
  return Promise.race([attempt, late]).finally(() => clearTimeout(timer));
}

test("a storage that never answers: connected without its key after a restore's wait", async () => {
  const running = await startServer({ onRequest: testRequestHandler, logger: silentLogger });
  const log = recordingLogger();
  const storage = hungStorage();
  const client = new Client(running.url, {
    logger: log.logger,
    requestTimeout: 300,
    sessionStorage: storage,
  });
  try {
    const started = performance.now();
    await within3s(client.connect(), client);
    const waited = performance.now() - started;
    assert.ok(waited >= 250, `connected after ${waited} ms`);
    assert.equal(client.session, null);
    assert.equal((await client.request("echo", "x")).text(), "x");
    assert.equal(storage.reads, 1);
    assert.equal(storage.writes, 0); // the stored key is not cleared: it was never read
    assert.match(log.errors.join("\n"), /session storage did not answer within 300 ms/);
  } finally {
    await client.close();
    await running.close();
  }
});

test("close() while a storage that never answers is read ends the attempt", async () => {
  const running = await startServer({ onRequest: testRequestHandler, logger: silentLogger });
  const storage = hungStorage();
  const client = new Client(running.url, { logger: silentLogger, sessionStorage: storage });
  try {
    const connecting = client.connect().catch((error: unknown) => error);
    await until(() => storage.reads === 1, "the storage being read");
    await client.close();
    const error = await within3s(connecting, client).catch((e: unknown) => e);
    assert.ok(error instanceof DisconnectedError, String(error));
    assert.equal(error.message, "the client was closed while connecting");
  } finally {
    await running.close();
  }
});
