// The live server suite's session and message-class checks against servers broken on purpose:
// close-session answered wrongly without a session, one session key handed out twice, sessions
// that outlive their last connection's close, a close-session that ends the session on every
// connection, special replies with bytes after the id, and malformed messages that are not
// requests ignored.

import assert from "node:assert/strict";
import { test } from "node:test";
// @ts-types="npm:@types/ws@^8.18.1"
import { type WebSocket, WebSocketServer } from "ws";
import { decodeMessage, type Message } from "../protocol/decode.ts";
import { encodeAcceptConf, encodeSessionCreated } from "../protocol/encode_control_message.ts";
import { formatSessionJson } from "../protocol/session_json.ts";
import { Timestamp } from "../protocol/timestamp.ts";
import { encodeReply } from "../protocol/encode_payload_message.ts";
import { silentLogger } from "../protocol/logger.ts";
import type { ServerOptions } from "../server/options.ts";
import { MemorySessionManager } from "../session/mod.ts";
import { startServer } from "../testing/serve.ts";
import { runServerSuite, type SuiteReport } from "./server_suite.ts";
import { conformanceService } from "./service.ts";

function result(report: SuiteReport, name: string) {
  const found = report.results.find((r) => r.name === name);
  assert.ok(found, `no result for ${name}`);
  return found;
}

async function suiteAgainst(options: ServerOptions, only: string[]): Promise<SuiteReport> {
  const running = await startServer({ logger: silentLogger, ...conformanceService(), ...options });
  try {
    return await runServerSuite(running.url, { timeoutMs: 1000, only });
  } finally {
    await running.close();
  }
}

/**
 * A fake server on `ws`: accept-conf, echo replies to requests, and `answer` for every other
 * message (`undefined` for a malformed one; the default ignores it).
 */
async function suiteAgainstFake(
  only: string[],
  answer: (socket: WebSocket, message: Message | undefined, bytes: Uint8Array) => void,
): Promise<SuiteReport> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.on("listening", () => resolve()));
  wss.on("connection", (socket) => {
    socket.send(
      encodeAcceptConf({ major: 2, minor: 0, readTimeoutMs: 60_000, messageBufferSize: 8192 }),
    );
    socket.on("message", (data: Uint8Array, isBinary: boolean) => {
      if (!isBinary) return socket.close(1003, "text frame");
      const bytes = new Uint8Array(data);
      let message: Message | undefined;
      try {
        message = decodeMessage(bytes);
      } catch {
        message = undefined;
      }
      if (message?.kind !== "request" || message.nameText !== "echo") {
        return answer(socket, message, bytes);
      }
      const { id, payload, encoding } = message;
      socket.send(encodeReply({ id: id.slice(), payload: payload.slice(), encoding }));
    });
  });
  const address = wss.address();
  assert.ok(typeof address === "object" && address !== null);
  try {
    return await runServerSuite(`ws://127.0.0.1:${address.port}/`, { timeoutMs: 1000, only });
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
}

test("a server whose sessions survive their last connection's close fails", async () => {
  const sessionManager = new MemorySessionManager();
  sessionManager.onSessionClosed = () => {}; // never destroyed: the key can still be restored
  const only = ["session-close-by-client", "session-close-shared", "session-logout"];
  const report = await suiteAgainst({ sessionManager }, only);
  for (const name of only) {
    assert.match(
      result(report, name).detail,
      /restore after (close-session|logout) on its last connection: .* got reply \(type 192\)/,
      name,
    );
  }
  assert.equal(report.failed, 3);
});

test("a server whose close-session ends the session on every connection fails", async () => {
  // Closes the ended session server-wide, as if on every connection (the others get type 22).
  const holder: { server?: { closeSession(key: string): Promise<number> } } = {};
  const onSessionEnded: ServerOptions["onSessionEnded"] = (_, session) => {
    void holder.server?.closeSession(session.key);
  };
  const running = await startServer({
    logger: silentLogger,
    ...conformanceService(),
    onSessionEnded,
  });
  holder.server = running.server;
  try {
    const only = ["session-close-by-client", "session-close-shared"];
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    assert.equal(result(report, "session-close-by-client").passed, true);
    assert.match(
      result(report, "session-close-shared").detail,
      /close-session on the first connection sent the second session-closed \(type 22\)/,
    );
  } finally {
    await running.close();
  }
});

test("a server answering a close-session without session with type 3 fails", async () => {
  const report = await suiteAgainstFake(["session-close-without-session"], (socket, message) => {
    if (message?.kind === "close-session") socket.send(new Uint8Array([3, ...message.id]));
  });
  assert.match(
    report.results[0].detail,
    /expected an empty binary reply \(191, 9 bytes\), got session-not-found-reply \(type 3\)/,
  );
});

test("a server sending bytes after a session-not-found reply's id fails", async () => {
  const only = ["session-restore-unknown-key", "session-restore-path-like-key"];
  const report = await suiteAgainstFake(only, (socket, message) => {
    if (message?.kind === "restore-session") socket.send(new Uint8Array([3, ...message.id, 0]));
  });
  for (const name of only) {
    assert.match(result(report, name).detail, /session-not-found-reply \(type 3\) is 10 bytes/);
  }
});

test("a server that drops only malformed requests fails the other message classes", async () => {
  const classes = ["signal-name-overflow", "close-session-bad-length", "restore-too-short"];
  const only = ["malformed-too-short", ...classes.map((name) => `malformed-${name}`)];
  const report = await suiteAgainstFake(only, (socket, message, bytes) => {
    // Closes on a malformed request (types 127 to 129) only; ignores anything else.
    if (message === undefined && bytes[0] >= 127 && bytes[0] <= 129) socket.close(1002);
  });
  assert.equal(result(report, "malformed-too-short").passed, true);
  for (const name of classes) {
    assert.match(result(report, `malformed-${name}`).detail, /connection still open 1000 ms/);
  }
  assert.equal(report.failed, classes.length);
});

test("a server that hands out the same session key twice fails session-created", async () => {
  // Ours refuses a repeated key (SessionKeyTakenError), so a fake one hands it out.
  const key = "the-only-key";
  const report = await suiteAgainstFake(["session-created"], (socket, message) => {
    if (message?.kind !== "request") return;
    if (message.nameText === "login") {
      const now = Timestamp.now();
      const info = { user: new TextDecoder().decode(message.payload) };
      socket.send(
        encodeSessionCreated(formatSessionJson({ key, creation: now, lastLookup: now, info })),
      );
    }
    socket.send(encodeReply({ id: message.id.slice(), payload: new TextEncoder().encode(key) }));
  });
  assert.match(report.results[0].detail, /a second login got the same key "the-only-key"/);
  assert.equal(report.failed, 1);
});

test("our server whose key generator repeats fails session-created at the second login", async () => {
  const sessionKeyGenerator = { generate: () => "the-only-key" };
  const report = await suiteAgainst({ sessionKeyGenerator }, ["session-created"]);
  assert.match(report.results[0].detail, /before the login reply, got internal-error-reply/);
  assert.equal(report.failed, 1);
});
