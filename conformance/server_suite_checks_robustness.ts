/**
 * Live server suite: what a server does with messages it must not answer. A heartbeat and a
 * well-formed reply sent by the client are ignored (the connection goes on); a malformed
 * message of each class of the conformance vectors' invalid reasons, and a text frame, make
 * the server close the connection (any close code, before its read timeout would have) and
 * that connection only: another one, sent a heartbeat at the same moment, stays open, and it
 * serves new connections afterwards.
 *
 * @example
 * ```ts
 * import { robustnessChecks } from "./server_suite_checks_robustness.ts";
 * console.assert(robustnessChecks.some((check) => check.name === "malformed-empty-frame"));
 * ```
 * @module
 */

import {
  describe,
  expect,
  expectPayloadReply,
  hex,
  nextReply,
  randomBytes,
  type ServerCheck,
  type SuiteConnection,
} from "./server_suite_checks_support.ts";

const utf8 = new TextEncoder();

async function expectEchoWorks(connection: SuiteConnection, when: string): Promise<void> {
  const id = randomBytes(8);
  const payload = utf8.encode(`still there ${hex(id)}`);
  connection.request(id, "echo", payload, "utf8");
  const reply = await nextReply(connection, id, `the echo reply ${when}`);
  expectPayloadReply(reply, "utf8", payload);
}

const heartbeat = new Uint8Array([33]);

/**
 * Checks that `connection` is open and still serves a request; a closed one fails with `said`
 * followed by that.
 */
async function expectStillOpen(connection: SuiteConnection, said: string): Promise<void> {
  try {
    await expectEchoWorks(connection, "on the connection beside it");
  } catch (error) {
    if (connection.closure === undefined) throw error;
  }
  const code = connection.closure?.code;
  expect(
    code === undefined,
    `${said} the connection beside it, which sent nothing wrong, was closed too ` +
      `(code ${code}): the close is no answer to the message`,
  );
}

function ignored(name: string, bytes: Uint8Array, what: string): ServerCheck {
  return {
    name,
    async run(context) {
      const connection = await context.handshake();
      connection.send(bytes);
      const quiet = await connection.silentFor(300);
      if (!quiet) {
        const answer = await connection.next("the unexpected message");
        expect(false, `the server answered the ${what} with ${describe(answer)}`);
      }
      expect(
        connection.closure === undefined,
        `the server closed the connection (code ${connection.closure?.code}) after the ${what}`,
      );
      await expectEchoWorks(connection, `after the ${what}`);
      return `no answer within 300 ms, connection still serves requests`;
    },
  };
}

function request(type: number, rest: number[]): Uint8Array {
  return new Uint8Array([type, 7, 0, 0, 0, 0, 0, 0, 0, ...rest]);
}

const echo = [0x65, 0x63, 0x68, 0x6f];

function malformed(name: string, data: Uint8Array | string, what: string): ServerCheck {
  return {
    name: `malformed-${name}`,
    async run(context) {
      // A connection beside it, sent a heartbeat as the other gets the message: a server that
      // closes connections on a clock of its own (a read timeout shorter than the one it
      // advertises) closes both; one that answers the message closes only that connection.
      // No heartbeats of its own: they could keep it open past such a shorter read timeout.
      const beside = await context.handshake({ keepAlive: false });
      const connection = await context.connect();
      const conf = await connection.next("accept-conf");
      expect(conf.kind === "accept-conf", `first message is ${conf.kind}, not accept-conf`);
      beside.send(heartbeat);
      connection.send(data);
      const sent = performance.now();
      const closure = await connection.closedWithin(context.timeoutMs);
      expect(
        closure !== undefined,
        `connection still open ${context.timeoutMs} ms after ${what}`,
      );
      // A server that ignores the message and closes idle connections must not pass.
      const after = Math.round(performance.now() - sent);
      expect(
        after < conf.readTimeoutMs,
        `closed ${after} ms after ${what}, not before its read timeout (${conf.readTimeoutMs} ms)`,
      );
      await expectStillOpen(beside, `closed ${after} ms after ${what}, but`);
      const next = await context.handshake();
      await expectEchoWorks(next, "on a new connection");
      // Deno reports 0 and Bun 1006 for a TCP connection dropped without a close frame.
      const code = closure.code === 0 || closure.code === 1006
        ? "without a close frame (1006)"
        : `with code ${closure.code}${closure.reason === "" ? "" : ` "${closure.reason}"`}`;
      return `closed ${code}; a new connection is served`;
    },
  };
}

/**
 * The robustness checks, in report order.
 *
 * @example
 * ```ts
 * import { robustnessChecks } from "./server_suite_checks_robustness.ts";
 * console.assert(robustnessChecks[0].name === "heartbeat-ignored");
 * ```
 */
export const robustnessChecks: readonly ServerCheck[] = [
  ignored("heartbeat-ignored", heartbeat, "heartbeat"),
  ignored("client-reply-ignored", request(192, [0x6f, 0x6b]), "reply sent by the client"),
  malformed("unknown-type", request(6, []), "an unknown type byte (6, the v1 protocol error)"),
  malformed("too-short", request(127, []), "a 9-byte request (minimum 11)"),
  malformed("name-overflow", request(128, [10, ...echo]), "a name length running past the end"),
  malformed("utf16-unaligned", request(129, [4, ...echo, 0x61]), "a UTF-16 request of odd length"),
  malformed("heartbeat-bad-length", new Uint8Array([33, 0]), "a 2-byte heartbeat"),
  malformed(
    "signal-name-overflow",
    new Uint8Array([64, 10, ...echo]),
    "a signal whose name " +
      "length runs past the end",
  ),
  malformed("close-session-bad-length", request(31, [0]), "a 10-byte close-session (exactly 9)"),
  malformed("restore-too-short", request(32, []), "a restore-session without a key (9 bytes)"),
  malformed("empty-frame", new Uint8Array(0), "an empty binary frame"),
  malformed("text-frame", "hello", "a text frame"),
];
