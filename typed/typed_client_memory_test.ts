// What a typed client keeps of the server signals it drops: nothing, once their listeners have
// seen them (a dropped signal's payload is a whole message, as large as the server sent it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../client/client.ts";
import type { ServerSignal } from "../client/events.ts";
import { heapAfterGc } from "../testing/heap_after_gc.ts";
import { recordingLogger } from "../testing/recording_logger.ts";
import { startServer } from "../testing/serve.ts";
import { until } from "../testing/until.ts";
import { TypedClient } from "./typed_client.ts";

test("a server signal dropped as not JSON is not kept by the typed client", async () => {
  const running = await startServer({ sessionsEnabled: false });
  const log = recordingLogger();
  const api = new TypedClient<{ serverSignals: { tick: number } }>(
    new Client(running.url),
    undefined,
    { logger: log.logger },
  );
  const seen: WeakRef<ServerSignal>[] = [];
  api.client.addEventListener("signal", (event) => void seen.push(new WeakRef(event.detail)));
  // Two listeners of the name: the drop is still logged once.
  api.on("tick", () => {});
  api.on("tick", () => {});
  try {
    await api.client.connect();
    running.server.broadcast("tick", "{" + "x".repeat(1_000_000)); // not JSON, 1 MB
    await until(() => seen.length === 1 && log.warnings.length === 1, "the signal dropped");
    // WeakRefs hold their target until the job that made them ends: collect in later turns.
    await new Promise((resolve) => setTimeout(resolve, 10));
    heapAfterGc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    heapAfterGc();
    // Not assert.equal: its message would print the megabyte.
    assert.ok(seen[0].deref() === undefined, "the dropped signal (its payload) is still held");
    assert.equal(log.warnings.length, 1);
  } finally {
    await api.client.close();
    await running.close();
  }
});
