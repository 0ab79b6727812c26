// The signals kept for a session are taken from the store by the restore that sends them: when
// that replay passes `maxSendBuffer` (a client that already had much queued) and closes the
// connection as a slow reader, the ones not yet written must be kept again, not lost unseen.
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
import { until } from "../testing/until.ts";
import { Server } from "./server.ts";
import type { TransportEvents } from "./transport.ts";

const maxSendBuffer = 64 * 1024;

/** An accepted in-process socket that reports what it was sent as queued (nothing is read). */
interface Socket {
  readonly sent: Uint8Array[];
  queued: number;
  closedWith: number | undefined;
  events: TransportEvents;
}

function accept(server: Server): Socket {
  const socket = { sent: [], queued: 0, closedWith: undefined } as unknown as Socket;
  socket.events = server.accept({
    send: (bytes) => {
      socket.sent.push(bytes);
      socket.queued += bytes.length;
    },
    get bufferedAmount() {
      return socket.queued;
    },
    close: (code, reason) => {
      socket.closedWith = code;
      queueMicrotask(() => socket.events.closed(code, reason));
    },
    terminate: () => queueMicrotask(() => socket.events.closed(1006, "")),
  });
  return socket;
}

function signalTexts(socket: Socket): string[] {
  return socket.sent.map((bytes) => decodeMessage(bytes)).flatMap((message) =>
    message.kind === "signal" ? [new TextDecoder().decode(message.payload).slice(0, 2)] : []
  );
}

test("kept signals a slow-reader close cut off from their replay are kept again", async () => {
  const dropped: string[] = [];
  const server = new Server({
    logger: silentLogger,
    sessionManager: new MemorySessionManager(),
    sendHighWaterMark: 16 * 1024,
    maxSendBuffer,
    onOfflineSignalDropped: (_key, reason) => void dropped.push(reason),
    onRequest: async (request) => {
      await request.connection.createSession();
      return "ok";
    },
  });
  try {
    const first = accept(server);
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
    for (let n = 1; n <= 6; n++) {
      assert.equal(server.signalSession(key, "n", `${n}`.padEnd(1000, ".")), 0, "kept");
    }
    // A client with nearly maxSendBuffer queued already: the replay passes it after a few.
    const slow = accept(server);
    slow.queued = maxSendBuffer - 2500;
    slow.events.message(encodeRestoreSession(requestIdFromNumber(2), key));
    await until(() => slow.closedWith !== undefined, "the slow reader was closed");
    assert.equal(slow.closedWith, 1008);
    const written = signalTexts(slow);
    assert.ok(written.length > 0 && written.length < 6, `precondition: wrote ${written.length}`);
    await until(() => server.activeSessionsCount === 0, "the slow reader left the session");
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The next restore gets those the slow reader was never sent (at most once: not the others).
    const next = accept(server);
    next.events.message(encodeRestoreSession(requestIdFromNumber(3), key));
    await until(() => next.sent.some((bytes) => decodeMessage(bytes).kind === "reply"), "restored");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expected = ["1.", "2.", "3.", "4.", "5.", "6."].slice(written.length);
    assert.deepEqual(signalTexts(next), expected);
    assert.deepEqual(dropped, []);
  } finally {
    await server.shutdown();
  }
});
