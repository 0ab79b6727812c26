/**
 * Live server suite: the handshake and request/reply checks (accept-conf, request ids, echo in
 * every encoding, named and nameless requests, error and internal-error replies).
 *
 * @example
 * ```ts
 * import { requestChecks } from "./server_suite_checks_requests.ts";
 * console.assert(requestChecks.some((check) => check.name === "accept-conf"));
 * ```
 * @module
 */

import type { PayloadEncoding } from "../protocol/message_type.ts";
import {
  type CheckContext,
  describe,
  expect,
  expectEchoReplies,
  expectPayloadReply,
  hex,
  nextReply,
  randomBytes,
  type ServerCheck,
  utf16le,
} from "./server_suite_checks_support.ts";

const utf8 = new TextEncoder();

async function acceptConf(context: CheckContext): Promise<string> {
  const connection = await context.connect();
  const frame = await connection.nextFrame(context.timeoutMs, "accept-conf");
  expect(typeof frame !== "string", "first message is a text frame, not a binary accept-conf");
  expect(frame.length > 0, "first message is an empty frame, not accept-conf");
  expect(frame[0] === 23, `first message has type ${frame[0]}, not 23 (accept-conf)`);
  expect(frame.length >= 11, `accept-conf is ${frame.length} bytes, not 11 or more: ${hex(frame)}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const [major, minor] = [frame[1], frame[2]];
  const readTimeoutMs = view.getUint32(3, true);
  const bufferSize = view.getUint32(7, true);
  expect(major === 2, `protocol version ${major}.${minor}, expected 2.x`);
  expect(readTimeoutMs >= 1000, `read timeout ${readTimeoutMs} ms is below the 1000 ms minimum`);
  expect(bufferSize > 0, "message buffer size is 0");
  const subProtocol = frame.length > 11
    ? `"${new TextDecoder().decode(frame.subarray(11))}"`
    : "none";
  return `v${major}.${minor}, read timeout ${readTimeoutMs} ms, buffer ${bufferSize} bytes, ` +
    `sub-protocol ${subProtocol}`;
}

async function replyIds(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const ids = [
    new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]),
    new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]),
    new Uint8Array(8),
    new Uint8Array(8).fill(0xff),
    new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0x80]),
    new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]),
    randomBytes(8),
    randomBytes(8),
  ];
  const pending = new Map<string, Uint8Array>();
  ids.forEach((id, index) => {
    const payload = utf8.encode(`id-check ${index}`);
    pending.set(hex(id), payload);
    connection.request(id, "echo", payload);
  });
  await expectEchoReplies(connection, pending);
  return `${ids.length} ids (counter, zero, ff..ff, random) echoed exactly`;
}

function echoCheck(
  name: string,
  requestName: string,
  encoding: PayloadEncoding,
  payload: Uint8Array,
): ServerCheck {
  return {
    name,
    async run(context) {
      const connection = await context.handshake();
      const id = randomBytes(8);
      connection.request(id, requestName, payload, encoding);
      const reply = await nextReply(connection, id, `the ${requestName || "nameless"} reply`);
      return expectPayloadReply(reply, encoding, payload);
    },
  };
}

/**
 * A UTF-16 request with a name of odd length: its padding byte keeps the payload at an even
 * offset, and the server must skip it. `sleep` (5 bytes) reads its payload as text: "1" read one
 * byte off is not a number of milliseconds.
 */
async function oddNameUtf16(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const id = randomBytes(8);
  connection.request(id, "sleep", utf16le("1"), "utf16");
  const reply = await nextReply(connection, id, "the reply to sleep");
  expectPayloadReply(reply, "utf8", utf8.encode("slept"));
  return `padding byte after the 5-byte name skipped: UTF-16 "1" read, "slept" replied`;
}

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

async function largeEcho(context: CheckContext): Promise<string> {
  const connection = await context.connect();
  const conf = await connection.next("accept-conf");
  expect(conf.kind === "accept-conf", `first message is ${conf.kind}, not accept-conf`);
  // Request overhead: type, id, name length, "echo"; the reply (9 bytes of header) is smaller.
  const size = Math.min(conf.messageBufferSize, 1 << 20) - 14;
  expect(size > 0, `buffer size ${conf.messageBufferSize} leaves no room for a payload`);
  const payload = Uint8Array.from({ length: size }, (_, i) => i % 251);
  const id = randomBytes(8);
  connection.request(id, "echo", payload, "binary");
  const reply = await nextReply(connection, id, "the large echo reply");
  expectPayloadReply(reply, "binary", payload);
  // Buffers above 1 MiB are tried at 1 MiB: the report says which was tried.
  const what = conf.messageBufferSize > 1 << 20
    ? `a 1 MiB request; the advertised buffer size ${conf.messageBufferSize} is larger`
    : "a request of exactly the advertised buffer size";
  return `${size}-byte payload (${what}) echoed`;
}

async function emptyEcho(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const id = randomBytes(8);
  connection.request(id, "echo", new Uint8Array(0), "binary");
  const reply = await nextReply(connection, id, "the empty echo reply");
  expectPayloadReply(reply, "binary", new Uint8Array(0));
  expect(reply.bytes.length === 9, `reply is ${reply.bytes.length} bytes, expected 9`);
  return "empty binary reply of 9 bytes";
}

async function errorReply(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const id = randomBytes(8);
  connection.request(id, "error", new Uint8Array(0), "binary");
  const reply = await nextReply(connection, id, "the error reply");
  expect(reply.kind === "error-reply", `expected an error reply (type 0), got ${describe(reply)}`);
  const bytes = reply.bytes;
  expect(bytes[9] === 10, `code length byte is ${bytes[9]}, expected 10 ("TEST_ERROR")`);
  expect(reply.codeText === "TEST_ERROR", `error code is "${reply.codeText}"`);
  expect(
    reply.messageText === "test error message",
    `error message is "${reply.messageText}", expected "test error message"`,
  );
  expect(bytes.length === 38, `error reply is ${bytes.length} bytes, expected 9 + 1 + 10 + 18`);
  return "type 0, code TEST_ERROR, UTF-8 message";
}

async function internalError(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const id = randomBytes(8);
  connection.request(id, "internal", new Uint8Array(0), "binary");
  const reply = await nextReply(connection, id, "the internal-error reply");
  expect(
    reply.kind === "internal-error-reply",
    `expected an internal-error reply (type 2), got ${describe(reply)}`,
  );
  expect(reply.bytes.length === 9, `internal-error reply is ${reply.bytes.length} bytes, not 9`);
  return "type 2, 9 bytes";
}

/**
 * The handshake and request/reply checks, in report order.
 *
 * @example
 * ```ts
 * import { requestChecks } from "./server_suite_checks_requests.ts";
 * console.assert(requestChecks.every((check) => check.informational !== true));
 * ```
 */
export const requestChecks: readonly ServerCheck[] = [
  { name: "accept-conf", run: acceptConf },
  { name: "reply-ids", run: replyIds },
  echoCheck("echo-binary", "echo", "binary", allBytes),
  echoCheck("echo-utf8", "echo", "utf8", utf8.encode("héllo, wörld ✓ 𝄞")),
  // 𝄞 (U+1D11E) is a surrogate pair in UTF-16, four bytes in UTF-8.
  echoCheck("echo-utf16", "echo", "utf16", utf16le("héllo, wörld ✓ 𝄞")),
  echoCheck("nameless-binary", "", "binary", randomBytes(33)),
  echoCheck("nameless-utf8", "", "utf8", utf8.encode("no name")),
  echoCheck("nameless-utf16", "", "utf16", utf16le("no name")),
  { name: "odd-name-utf16", run: oddNameUtf16 },
  { name: "echo-empty-payload", run: emptyEcho },
  { name: "echo-buffer-size", run: largeEcho },
  { name: "error-reply", run: errorReply },
  { name: "internal-error-reply", run: internalError },
];
