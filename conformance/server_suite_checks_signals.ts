/**
 * Live server suite: signal checks (a server signal sent from a request handler arrives before
 * the reply; a client signal `echo-signal` comes back in each encoding, with the UTF-16
 * padding byte after its odd-length name).
 *
 * @example
 * ```ts
 * import { signalChecks } from "./server_suite_checks_signals.ts";
 * console.assert(signalChecks.some((check) => check.name === "signal-me-before-reply"));
 * ```
 * @module
 */

import { encodeSignal } from "../protocol/encode_payload_message.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import {
  type CheckContext,
  describe,
  expect,
  hex,
  nextReply,
  randomBytes,
  sameBytes,
  type ServerCheck,
  utf16le,
} from "./server_suite_checks_support.ts";

const signalTypes: Record<PayloadEncoding, number> = { binary: 63, utf8: 64, utf16: 65 };

async function signalMe(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const id = randomBytes(8);
  connection.request(id, "signal-me", new Uint8Array(0), "binary");
  const first = await connection.next("the srvsig signal");
  expect(
    first.kind === "signal",
    `expected signal "srvsig" before the reply, got ${describe(first)}`,
  );
  expect(first.nameText === "srvsig", `signal name is "${first.nameText}", expected "srvsig"`);
  expect(first.encoding === "utf8", `signal "srvsig" has type ${first.type}, expected 64 (UTF-8)`);
  const payload = new TextDecoder().decode(first.payload);
  expect(payload === "ping", `signal payload is "${payload}", expected "ping"`);
  const reply = await nextReply(connection, id, "the signal-me reply");
  expect(reply.kind === "reply", `expected a reply after the signal, got ${describe(reply)}`);
  return "signal srvsig/ping (type 64), then the reply";
}

function echoSignal(encoding: PayloadEncoding, payload: Uint8Array): ServerCheck {
  return {
    name: `echo-signal-${encoding}`,
    async run(context) {
      const connection = await context.handshake();
      const sent = encodeSignal({ name: "echo-signal", payload, encoding });
      connection.send(sent);
      const signal = await connection.next("the echoed signal");
      expect(signal.kind === "signal", `expected the echoed signal, got ${describe(signal)}`);
      const type = signalTypes[encoding];
      expect(signal.type === type, `echoed signal has type ${signal.type}, expected ${type}`);
      expect(signal.nameText === "echo-signal", `echoed signal is named "${signal.nameText}"`);
      if (encoding === "utf16") {
        // An 11-byte name: the padding byte sits right after it, at offset 13.
        expect(signal.bytes[13] === 0, `padding byte after the odd name is ${signal.bytes[13]}`);
      }
      expect(
        sameBytes(signal.payload, payload),
        `echoed payload ${hex(signal.payload)} differs from ${hex(payload)}`,
      );
      expect(
        sameBytes(signal.bytes, sent),
        `echoed signal ${hex(signal.bytes)} is not byte-identical to ${hex(sent)}`,
      );
      return `type ${type}, name and ${payload.length}-byte payload echoed byte for byte`;
    },
  };
}

/**
 * The signal checks, in report order.
 *
 * @example
 * ```ts
 * import { signalChecks } from "./server_suite_checks_signals.ts";
 * console.assert(signalChecks.length === 4);
 * ```
 */
export const signalChecks: readonly ServerCheck[] = [
  { name: "signal-me-before-reply", run: signalMe },
  echoSignal("binary", randomBytes(17)),
  echoSignal("utf8", new TextEncoder().encode("sígnal ✓")),
  // 𝄞 (U+1D11E) is a surrogate pair in UTF-16: a server must not split or replace it.
  echoSignal("utf16", utf16le("sígnal ✓ 𝄞")),
];
