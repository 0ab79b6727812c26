/**
 * The checks of the live client suite. Each runs one scenario against a fresh scripted server:
 * it starts the client under test on `ws://127.0.0.1:<port>/<check name>`, plays the server's
 * part message by message, and reads what the client prints (see "Client suite" in
 * `conformance/README.md` for what a client-under-test program does).
 *
 * @example
 * ```ts
 * import { clientChecks } from "./client_suite_checks.ts";
 * console.assert(clientChecks.some((check) => check.name === "heartbeat"));
 * ```
 * @module
 */

import { encodeSessionClosed } from "../protocol/encode_control_message.ts";
import { encodeReply, encodeSignal } from "../protocol/encode_payload_message.ts";
import { decodeText } from "../protocol/text.ts";
import { generateSessionKey } from "../session/session_key.ts";
import { LoopLateness } from "./loop_lateness.ts";
import { hex } from "./server_suite_bytes.ts";
import type { ScriptConnection } from "./client_suite_server.ts";
import {
  command,
  createSession,
  expectLine,
  openSession,
  sessionJson,
} from "./client_suite_commands.ts";
import {
  acceptConf,
  acceptConnection,
  type ClientCheck,
  ClientCheckFailure,
  describeFrame,
  exitText,
  expect,
  expectRequest,
  nextMessage,
  reply,
  replyError,
} from "./client_suite_support.ts";

/** How long the accept-conf is held back in the first check. */
const acceptConfDelayMs = 300;
/** The read timeout advertised in the heartbeat check, and the tolerated heartbeat gaps. */
const heartbeatReadTimeoutMs = 1000;
const heartbeatMinGapMs = 550;
const heartbeatMaxGapMs = 950;
/** After its last reply, the session-closed check watches this long for a late restore. */
const afterCloseQuietMs = 500;

const acceptConfFirst: ClientCheck = {
  name: "accept-conf-first",
  description: `sends nothing before accept-conf (held back ${acceptConfDelayMs} ms)`,
  async run(ctx) {
    const client = ctx.startClient(this.name);
    const connection = await acceptConnection(ctx.server, client, 10_000);
    const early = await connection.next(acceptConfDelayMs);
    if (early !== undefined) {
      const after = Math.round(early.at - connection.openedAt);
      throw new ClientCheckFailure(
        `sent ${describeFrame(early)} ${after} ms after the upgrade, before accept-conf`,
      );
    }
    connection.send(acceptConf());
    const start = await expectRequest(connection, "start");
    reply(connection, start, "ok");
    await expectLine(client, "reply start ok");
  },
};

/** A check that the client refuses the server of `conf`: sends nothing, prints error, exits. */
function refusedServer(name: string, what: string, conf: Uint8Array): ClientCheck {
  return {
    name,
    description: `refuses a server of ${what}: sends nothing, prints error, exits`,
    async run(ctx) {
      const client = ctx.startClient(this.name);
      const connection = await acceptConnection(ctx.server, client, 10_000);
      connection.send(conf);
      const exit = await client.exited(5000);
      expect(exit !== undefined, `the client did not exit within 5 s of an accept-conf of ${what}`);
      expect(exit.code !== 0, `the client exited with code 0 after an accept-conf of ${what}`);
      const sent = [connection, ...await laterConnections(ctx.server)].flatMap((c) => c.frames);
      expect(
        sent.length === 0,
        `the client sent ${sent.map(describeFrame).join(", ")} to a server of ${what}`,
      );
      expect(
        client.lines.some((line) => line.startsWith("error")),
        `the client printed no "error ..." line (${exitText(client)})`,
      );
    },
  };
}

const incompatibleVersion = refusedServer(
  "incompatible-version",
  "protocol version 3.0",
  acceptConf({ major: 3 }),
);

const subProtocolMismatch = refusedServer(
  "sub-protocol-mismatch",
  `sub-protocol "other" (the client has none)`,
  acceptConf({ subProtocol: "other" }),
);

async function laterConnections(
  server: { nextConnection(ms: number): Promise<ScriptConnection | undefined> },
): Promise<ScriptConnection[]> {
  const found: ScriptConnection[] = [];
  for (;;) {
    const next = await server.nextConnection(0);
    if (next === undefined) return found;
    found.push(next);
  }
}

const requestError: ClientCheck = {
  name: "request-error",
  description: "sends a request's name and payload and reports an error reply's code and message",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    command(connection, "request", "fail please");
    const request = await expectRequest(connection, "fail");
    // The client-under-test protocol: a do:request payload goes as UTF-8.
    expect(
      request.encoding === "utf8",
      `request "fail" carried its payload as ${request.encoding}, not utf8`,
    );
    const payload = decodeText(request.payload, request.encoding);
    expect(payload === "please", `request "fail" carried ${JSON.stringify(payload)}, not "please"`);
    replyError(connection, request, "E_TEST", "went wrong");
    await expectLine(client, "request-error fail E_TEST went wrong");
  },
};

const specialReplies: ClientCheck = {
  name: "special-replies",
  description: "reports an internal-error reply (type 2) and a shutdown reply (type 1) as " +
    "failed requests",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    command(connection, "request", "internal");
    command(connection, "request", "shutdown");
    for (const [name, type] of [["internal", 2], ["shutdown", 1]] as const) {
      const request = await expectRequest(connection, name);
      connection.send(new Uint8Array([type, ...request.id]));
    }
    for (const [name, type] of [["internal", 2], ["shutdown", 1]] as const) {
      // The first line about the request: `request-failed <name> <text>` is the right one.
      const about = (l: string) =>
        l.startsWith(`request-failed ${name}`) || l.startsWith(`reply ${name}`) ||
        l.startsWith(`request-error ${name} `);
      const line = await client.line(about, 3000);
      expect(
        line !== undefined,
        `the client printed nothing about request "${name}" within 3000 ms of a reply of ` +
          `type ${type} (${exitText(client)})`,
      );
      expect(
        line === `request-failed ${name}` || line.startsWith(`request-failed ${name} `),
        `after a reply of type ${type} to request "${name}" the client printed "${line}", not ` +
          `"request-failed ${name} ..."`,
      );
    }
  },
};

const serverSignal: ClientCheck = {
  name: "server-signal",
  description: "reports server signals' names and UTF-16 payloads, after an even and an odd " +
    "name (where a padding byte follows the name)",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    connection.send(encodeSignal({ name: "news", payload: "héllo", encoding: "utf16" }));
    await expectLine(client, "signal news héllo");
    connection.send(encodeSignal({ name: "alert", payload: "wörld ✓", encoding: "utf16" }));
    await expectLine(client, "signal alert wörld ✓");
  },
};

const outOfOrderReplies: ClientCheck = {
  name: "out-of-order-replies",
  description: "matches replies by request id when the second request is answered first",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    command(connection, "request", "a first");
    command(connection, "request", "b second");
    const a = await expectRequest(connection, "a");
    const b = await expectRequest(connection, "b");
    expect(
      a.id.join() !== b.id.join(),
      `requests "a" and "b" had the same id ${hex(a.id)}`,
    );
    connection.send(encodeReply({ id: b.id, payload: "reply-b", encoding: "utf16" }));
    connection.send(encodeReply({ id: a.id, payload: new TextEncoder().encode("reply-a") }));
    await expectLine(client, "reply b reply-b");
    await expectLine(client, "reply a reply-a");
  },
};

const heartbeat: ClientCheck = {
  name: "heartbeat",
  description: `sends heartbeats at 3/4 of a ${heartbeatReadTimeoutMs} ms read timeout ` +
    `(${heartbeatMinGapMs}-${heartbeatMaxGapMs} ms apart), only when idle`,
  async run(ctx) {
    const { connection } = await openSession(ctx, this.name, heartbeatReadTimeoutMs);
    // On a busy machine the client's timers and this process's reads come late: every bound
    // below stretches by as much as this process's event loop ran late over the same stretch.
    const lateness = LoopLateness.start();
    try {
      await checkHeartbeats(connection, lateness);
    } finally {
      lateness.stop();
    }
  },
};

async function checkHeartbeats(connection: ScriptConnection, lateness: LoopLateness) {
  // Busy: the client sends a request every 300 ms, so it never needs a heartbeat.
  let last = connection.frames[connection.frames.length - 1].at;
  for (let round = 0; round < 5; round++) {
    const commandAt = performance.now();
    const lateAtCommand = lateness.total;
    // The round ends 300 ms after the command; waiting for the request, later by the lateness.
    let answered = false;
    const roundEnd = () => commandAt + 300 + (answered ? 0 : lateness.total - lateAtCommand);
    command(connection, "request", `tick${round}`);
    for (;;) {
      const frame = await connection.next(Math.max(0, roundEnd() - performance.now()));
      if (frame === undefined) {
        // A closed connection's `next` returns at once, without a timer: looping on would
        // never let the lateness tick run, and `roundEnd` would move away as fast as time.
        expect(
          !connection.isClosed,
          `the connection closed while busy (${answered ? "after" : "before"} request ` +
            `"tick${round}")`,
        );
        if (performance.now() < roundEnd()) continue; // the loop ran late meanwhile
        break;
      }
      const message = frame.message;
      if (message?.kind === "heartbeat") {
        // A late round may leave the client idle long enough; sooner is a heartbeat while busy.
        expect(
          frame.at - last >= heartbeatMinGapMs,
          `sent a heartbeat while busy, ${Math.round(frame.at - last)} ms after its last message`,
        );
        last = frame.at;
        continue;
      }
      expect(
        message?.kind === "request" && message.nameText === `tick${round}` && !answered,
        `expected request "tick${round}", got ${describeFrame(frame)}`,
      );
      reply(connection, message, "ok");
      answered = true;
      last = frame.at;
    }
    expect(answered, `no request "tick${round}" within 300 ms of the command`);
  }
  // Idle: nothing but heartbeats, never a gap outside the tolerance.
  const idleEnd = performance.now() + 2700;
  let beats = 0;
  let lateAtLast = lateness.total;
  let previousGapLate = 0;
  for (;;) {
    // Stops waiting as soon as the silence is too long.
    const silenceEnd = () => last + heartbeatMaxGapMs + 1 + (lateness.total - lateAtLast);
    const until = Math.min(idleEnd, silenceEnd());
    const frame = await connection.next(Math.max(0, until - performance.now()));
    if (frame === undefined) {
      expect(!connection.isClosed, "the connection closed while idle");
      if (until === idleEnd) break;
      if (performance.now() < silenceEnd()) continue; // the loop ran late meanwhile
      throw new ClientCheckFailure(
        `no heartbeat: silent for more than ${heartbeatMaxGapMs} ms after its last message ` +
          `(read timeout ${heartbeatReadTimeoutMs} ms)`,
      );
    }
    const gap = Math.round(frame.at - last);
    const gapLate = lateness.total - lateAtLast;
    expect(
      frame.message?.kind === "heartbeat",
      `expected only heartbeats while idle, got ${describeFrame(frame)}`,
    );
    // A previous message read late makes this gap look shorter; a late one, longer.
    expect(
      gap >= heartbeatMinGapMs - previousGapLate && gap <= heartbeatMaxGapMs + gapLate,
      `heartbeat ${beats + 1} came ${gap} ms after the previous message, expected ` +
        `${heartbeatMinGapMs}-${heartbeatMaxGapMs}` +
        (gapLate + previousGapLate >= 1
          ? ` (event loop ${Math.round(previousGapLate)}+${Math.round(gapLate)} ms late)`
          : ""),
    );
    beats++;
    last = frame.at;
    lateAtLast = lateness.total;
    previousGapLate = gapLate;
  }
  expect(beats >= 2, `only ${beats} heartbeat(s) in 2.7 s of idleness`);
}

const reconnectRestore: ClientCheck = {
  name: "reconnect-restore",
  description: "reconnects after the server drops it and restores its session first",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    const key = generateSessionKey();
    createSession(connection, key);
    await expectLine(client, `session-created ${key}`);
    connection.close(1001, "going away");
    const again = await acceptConnection(ctx.server, client, 5000, "the client did not reconnect");
    again.send(acceptConf());
    const first = await nextMessage(again, 3000, "restore-session");
    expect(
      first.kind === "restore-session",
      `expected restore-session first after reconnecting, got ${
        describeFrame({ at: 0, message: first })
      }`,
    );
    expect(first.keyText === key, `restore-session carried key "${first.keyText}", not "${key}"`);
    again.send(encodeReply({ id: first.id, payload: sessionJson(key), encoding: "utf8" }));
    command(again, "request", "after-restore");
    const request = await expectRequest(again, "after-restore");
    reply(again, request, "ok");
    await expectLine(client, "reply after-restore ok");
  },
};

const sessionClosed: ClientCheck = {
  name: "session-closed",
  description: "reports session-closed and does not restore the closed session on reconnect " +
    "(neither first nor later)",
  async run(ctx) {
    const { client, connection } = await openSession(ctx, this.name);
    const key = generateSessionKey();
    createSession(connection, key);
    await expectLine(client, `session-created ${key}`);
    connection.send(encodeSessionClosed());
    await expectLine(client, "session-closed");
    connection.close(1001, "going away");
    const again = await acceptConnection(ctx.server, client, 5000, "the client did not reconnect");
    again.send(acceptConf());
    command(again, "request", "after-close");
    const first = await nextMessage(again, 3000, `request "after-close"`);
    expect(
      first.kind === "request" && first.nameText === "after-close",
      `expected request "after-close", got ${describeFrame({ at: 0, message: first })}` +
        (first.kind === "restore-session" ? " (restoring the closed session)" : ""),
    );
    reply(again, first, "ok");
    await expectLine(client, "reply after-close ok");
    // Nor later on: nothing but heartbeats for a while after the reply.
    const quietUntil = performance.now() + afterCloseQuietMs;
    for (;;) {
      const frame = await again.next(Math.max(0, quietUntil - performance.now()));
      if (frame === undefined) break;
      if (frame.message?.kind === "heartbeat") continue;
      throw new ClientCheckFailure(
        `after request "after-close" the client sent ${describeFrame(frame)}` +
          (frame.message?.kind === "restore-session" ? " (restoring the closed session)" : ""),
      );
    }
  },
};

/**
 * Every check, in the order the suite runs them.
 *
 * @example
 * ```ts
 * import { clientChecks } from "./client_suite_checks.ts";
 * console.assert(clientChecks[0].name === "accept-conf-first");
 * ```
 */
export const clientChecks: readonly ClientCheck[] = [
  acceptConfFirst,
  incompatibleVersion,
  subProtocolMismatch,
  requestError,
  specialReplies,
  serverSignal,
  outOfOrderReplies,
  heartbeat,
  reconnectRestore,
  sessionClosed,
];
