/**
 * Assertions on the server's replies that several checks of the live server suite share: the
 * reply to an id, a batch of echo replies in any order, a payload reply of an encoding, and a
 * short description of any message for failure details.
 *
 * @example
 * ```ts
 * import { describe, replyType } from "./server_suite_replies.ts";
 * import { decodeMessage } from "../protocol/decode.ts";
 * console.assert(replyType("binary") === 191);
 * console.assert(describe(decodeMessage(new Uint8Array([33]))) === "heartbeat (type 33)");
 * ```
 * @module
 */

import type { Message } from "../protocol/decode.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import { hex, sameBytes } from "./server_suite_bytes.ts";
import type { SuiteConnection } from "./server_suite_connection.ts";
import { expect } from "./server_suite_failure.ts";

/**
 * The type byte of a payload reply in an encoding (191, 192, 193).
 *
 * @example
 * ```ts
 * import { replyType } from "./server_suite_replies.ts";
 * console.assert(replyType("utf16") === 193);
 * ```
 */
export function replyType(encoding: PayloadEncoding): number {
  return encoding === "binary" ? 191 : encoding === "utf8" ? 192 : 193;
}

/**
 * Reads the reply to `id`, failing on anything else first (another message, another id).
 *
 * @example
 * ```ts
 * import { expectPayloadReply, nextReply } from "./server_suite_replies.ts";
 * import { SuiteConnection } from "./server_suite_connection.ts";
 * import { conformanceService } from "./service.ts";
 * import { startServer } from "../testing/serve.ts";
 * import { requestIdFromNumber } from "../protocol/request_id.ts";
 * const running = await startServer(conformanceService());
 * const connection = await SuiteConnection.open(running.url, 1000);
 * await connection.next("accept-conf");
 * const id = requestIdFromNumber(7);
 * connection.request(id, "echo", "hi");
 * const reply = await nextReply(connection, id, "the echo reply");
 * expectPayloadReply(reply, "utf8", new TextEncoder().encode("hi"));
 * connection.close();
 * await running.close();
 * ```
 */
export async function nextReply(
  connection: SuiteConnection,
  id: Uint8Array,
  what = "the reply",
): Promise<Message> {
  const message = await connection.next(what);
  expect("id" in message, `expected ${what}, got a ${message.kind} message`);
  expect(
    message.kind !== "request" && message.kind !== "close-session" &&
      message.kind !== "restore-session",
    `expected ${what}, got a client-only ${message.kind} message`,
  );
  expect(sameBytes(message.id, id), `${what} has id ${hex(message.id)}, expected ${hex(id)}`);
  return message;
}

/**
 * Reads one echo reply per entry of `pending` (payloads keyed by the {@link hex} of their
 * request ids) of binary requests, in any order: each must be a binary reply (type 191) to an id
 * still pending, with its payload exactly, and nothing may follow within 200 ms (an id answered
 * twice). Empties `pending`.
 *
 * @example
 * ```ts
 * import { expectEchoReplies } from "./server_suite_replies.ts";
 * import { hex, randomBytes } from "./server_suite_bytes.ts";
 * import { SuiteConnection } from "./server_suite_connection.ts";
 * import { conformanceService } from "./service.ts";
 * import { startServer } from "../testing/serve.ts";
 * import { requestIdFromNumber } from "../protocol/request_id.ts";
 * const running = await startServer(conformanceService());
 * const connection = await SuiteConnection.open(running.url, 1000);
 * await connection.next("accept-conf");
 * const pending = new Map<string, Uint8Array>();
 * for (let n = 1; n <= 3; n++) {
 *   const id = requestIdFromNumber(n);
 *   pending.set(hex(id), randomBytes(16));
 *   connection.request(id, "echo", pending.get(hex(id))!, "binary");
 * }
 * await expectEchoReplies(connection, pending);
 * console.assert(pending.size === 0);
 * connection.close();
 * await running.close();
 * ```
 */
export async function expectEchoReplies(
  connection: SuiteConnection,
  pending: Map<string, Uint8Array>,
): Promise<void> {
  const count = pending.size;
  for (let i = 0; i < count; i++) {
    const message = await connection.next(`reply ${i + 1} of ${count}`);
    expect(message.kind === "reply", `expected an echo reply, got ${describe(message)}`);
    const key = hex(message.id);
    const payload = pending.get(key);
    expect(payload !== undefined, `reply with id ${key}, which was not sent or answered twice`);
    if (!sameBytes(message.payload, payload)) {
      const sentWith = [...pending].find(([, sent]) => sameBytes(message.payload, sent))?.[0];
      expect(
        false,
        sentWith === undefined
          ? `reply to id ${key} carries another payload`
          : `reply with id ${key} carries the payload sent with id ${sentWith}: wrong reply id`,
      );
    }
    // The requests are binary: so must their echoes be (type 191).
    expectPayloadReply(message, "binary", payload);
    pending.delete(key);
  }
  // Each id is answered once: a second reply arriving after the last one fails too.
  if (!await connection.silentFor(200)) {
    const extra = await connection.next("the message after the last reply");
    expect(false, `a message after every id was answered: ${describe(extra)}`);
  }
}

/**
 * Checks that `message` is a payload reply of `encoding` carrying exactly `payload`, with the
 * UTF-16 padding byte at offset 9; returns a short description.
 *
 * @example
 * ```ts
 * import { expectPayloadReply } from "./server_suite_replies.ts";
 * import { decodeMessage } from "../protocol/decode.ts";
 * const reply = decodeMessage(new Uint8Array([192, 1, 0, 0, 0, 0, 0, 0, 0, 0x6f, 0x6b]));
 * expectPayloadReply(reply, "utf8", new Uint8Array([0x6f, 0x6b]));
 * ```
 */
export function expectPayloadReply(
  message: Message,
  encoding: PayloadEncoding,
  payload: Uint8Array,
): string {
  const type = replyType(encoding);
  expect(message.kind === "reply", `expected a reply of type ${type}, got ${describe(message)}`);
  expect(message.type === type, `expected reply type ${type}, got ${message.type}`);
  if (encoding === "utf16") {
    expect(message.bytes[9] === 0, `UTF-16 reply padding byte is ${message.bytes[9]}, not 0`);
  }
  expect(
    sameBytes(message.payload, payload),
    `reply payload ${hex(message.payload)} differs from ${hex(payload)}`,
  );
  return `type ${type}, ${payload.length}-byte payload echoed`;
}

/**
 * A short description of a message for failure details.
 *
 * @example
 * ```ts
 * import { describe } from "./server_suite_replies.ts";
 * import { decodeMessage } from "../protocol/decode.ts";
 * console.assert(describe(decodeMessage(new Uint8Array([22]))) === "session-closed (type 22)");
 * ```
 */
export function describe(message: Message): string {
  if (message.kind === "error-reply") {
    return `error-reply (type 0, code ${message.codeText}: ${message.messageText})`;
  }
  return `${message.kind} (type ${message.type})`;
}
