// The signals kept for a session are taken from the store by the restore that sends them: when
// that replay passes `maxSendBuffer` (a client that already had much queued) and closes the
// connection as a slow reader, the ones not yet written are kept again once the connection has
// left the session, ahead of any signal kept while it was leaving (that one is newer), so that
// the next restore gets them all in the order they were sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeRequest,
  encodeRestoreSession,
  requestIdFromNumber,
} from "../protocol/mod.ts";
import { silentLogger } from "../protocol/logger.ts";
import { parseSessionJson } from "../protocol/session_json.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { gate } from "../testing/gated_session_manager.ts";
import { acceptInProcess, type InProcessConnection } from "../testing/in_process_connection.ts";
import { until } from "../testing/until.ts";
import { Server } from "./server.ts";

const maxSendBuffer = 64 * 1024;

/** A memory manager whose releases wait for `releaseGate` while `holdReleases` is set. */
class SlowReleaseManager extends MemorySessionManager {
  holdReleases = false;
  releaseStarted = gate();
  releaseGate = gate();

  override async onSessionReleased(key: string): Promise<void> {
    if (this.holdReleases) {
      this.releaseStarted.open();
      await this.releaseGate.opened;
    }
    super.onSessionReleased(key);
  }
}

function signalTexts(socket: InProcessConnection): string[] {
  return socket.sent.map((bytes) => decodeMessage(bytes)).flatMap((message) =>
    message.kind === "signal" ? [new TextDecoder().decode(message.payload).slice(0, 2)] : []
  );
}

/**
 * Keeps `kept` signals for an offline session, has a restore's replay of them cut off (a slow
 * reader) and sends `meanwhile` more while that connection is leaving the session; returns the
 * signals the next restore gets, those the slow reader got and the drops reported.
 */
async function cutOffReplay(
  maxCount: number,
  kept: number,
  meanwhile: number,
): Promise<{ next: string[]; written: string[]; dropped: string[]; counted: number }> {
  const dropped: string[] = [];
  const manager = new SlowReleaseManager();
  const server = new Server({
    logger: silentLogger,
    sessionManager: manager,
    sendHighWaterMark: 16 * 1024,
    maxSendBuffer,
    offlineSignals: { maxCount },
    onOfflineSignalDropped: (_key, reason) => void dropped.push(reason),
    onRequest: async (request) => {
      await request.connection.createSession();
      return "ok";
    },
  });
  try {
    const first = acceptInProcess(server);
    first.events.message(encodeRequest({ id: requestIdFromNumber(1), name: "login" }));
    await until(
      () => first.sent.some((bytes) => decodeMessage(bytes).kind === "session-created"),
      "logged in",
    );
    const created = first.sent.map((bytes) => decodeMessage(bytes)).find((message) =>
      message.kind === "session-created"
    )!;
    const { key } = parseSessionJson((created as { json: Uint8Array }).json);
    first.events.closed(1001, "page closed");
    await until(() => server.activeSessionsCount === 0, "the session is held by nobody");
    const signal = (n: number) => String.fromCharCode(96 + n).padEnd(1000, ".");
    for (let n = 1; n <= kept; n++) assert.equal(server.signalSession(key, "n", signal(n)), 0);
    // A client with nearly maxSendBuffer queued already: the replay passes it after a few, and
    // the session's release (as the slow reader leaves it) takes a while.
    manager.holdReleases = true;
    const slow = acceptInProcess(server);
    slow.queued = maxSendBuffer - 2500;
    slow.onSend = (bytes) => slow.queued += bytes.length; // it reads nothing
    slow.events.message(encodeRestoreSession(requestIdFromNumber(2), key));
    await until(() => slow.closedWith !== undefined, "the slow reader was closed");
    assert.equal(slow.closedWith, 1008);
    await manager.releaseStarted.opened;
    // Sent while the slow reader is leaving the session: held by nobody, kept.
    for (let n = kept + 1; n <= kept + meanwhile; n++) {
      assert.equal(server.signalSession(key, "n", signal(n)), 0);
    }
    manager.holdReleases = false;
    manager.releaseGate.open();
    await until(() => server.activeSessionsCount === 0, "the slow reader left the session");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const next = acceptInProcess(server);
    next.events.message(encodeRestoreSession(requestIdFromNumber(3), key));
    await until(() => next.sent.some((bytes) => decodeMessage(bytes).kind === "reply"), "restored");
    await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      next: signalTexts(next),
      written: signalTexts(slow),
      dropped,
      counted: server.droppedOfflineSignals,
    };
  } finally {
    await server.shutdown();
  }
}

/** The first letters of signals `from` to `to`, as `signalTexts` gives them. */
function letters(from: number, to: number): string[] {
  const all: string[] = [];
  for (let n = from; n <= to; n++) all.push(`${String.fromCharCode(96 + n)}.`);
  return all;
}

test("kept signals a slow-reader close cut off from their replay are kept again", async () => {
  const { next, written, dropped } = await cutOffReplay(256, 6, 0);
  assert.ok(written.length > 0 && written.length < 6, `precondition: wrote ${written.length}`);
  // The next restore gets those the slow reader was never sent (at most once: not the others).
  assert.deepEqual(next, letters(written.length + 1, 6));
  assert.deepEqual(dropped, []);
});

test("kept signals given back by a replay cut off go ahead of those kept meanwhile", async () => {
  const { next, written, dropped } = await cutOffReplay(256, 6, 1);
  assert.ok(written.length > 0 && written.length < 6, `precondition: wrote ${written.length}`);
  assert.deepEqual(written, letters(1, written.length));
  assert.deepEqual(next, letters(written.length + 1, 7));
  assert.deepEqual(dropped, []);
});

test("past maxCount, signals given back are dropped before newer ones kept meanwhile", async () => {
  // Kept: c to f (a and b dropped); the slow reader gets some; g to k come meanwhile.
  const { next, written, dropped, counted } = await cutOffReplay(4, 6, 5);
  assert.ok(written.length > 0 && written.length < 4, `precondition: wrote ${written.length}`);
  assert.deepEqual(written, letters(3, 2 + written.length));
  // The newest 4, in order; every other one not written dropped and counted once.
  assert.deepEqual(next, letters(8, 11));
  const expectedDrops = 11 - written.length - 4;
  assert.deepEqual(dropped, new Array(expectedDrops).fill("count"));
  assert.equal(counted, expectedDrops);
});
