import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage } from "./decode.ts";
import { encodeSignal } from "./encode_payload_message.ts";
import {
  encodeAcceptConf,
  encodeErrorReply,
  encodeRestoreSession,
} from "./encode_control_message.ts";
import { Payload } from "./payload.ts";
import { requestIdFromNumber } from "./request_id.ts";
import { decodeText, latin1Text } from "./text.ts";
import { describeMessage } from "./trace.ts";

const withBom = "\ufeffhi";

test("a leading U+FEFF is text, kept in every encoding as the Go reference keeps it", () => {
  for (const encoding of ["binary", "utf8", "utf16"] as const) {
    const m = decodeMessage(encodeSignal({ name: "s", payload: withBom, encoding }));
    assert.equal(m.kind, "signal");
    if (m.kind !== "signal") return;
    assert.equal(decodeText(m.payload, m.encoding), withBom, encoding);
    assert.equal(Payload.from(withBom, encoding).text(), withBom, encoding);
  }
});

test("an error reply's message keeps a leading U+FEFF", () => {
  const id = requestIdFromNumber(1);
  const m = decodeMessage(encodeErrorReply({ id, code: "E", message: `${withBom} there` }));
  assert.equal(m.kind === "error-reply" && m.messageText, `${withBom} there`);
});

test("the trace shows a leading U+FEFF of a payload", () => {
  for (const encoding of ["utf8", "utf16"] as const) {
    const m = decodeMessage(encodeSignal({ name: "s", payload: withBom, encoding }));
    assert.ok(describeMessage(m, 64).endsWith(` ${encoding} ${JSON.stringify(withBom)}`));
  }
});

test("latin1Text decodes every length, past what one fromCharCode call can take", () => {
  for (const length of [0, 1, 64, 65, 8191, 8192, 8193, 3 * 8192 + 5, 1_500_000]) {
    const bytes = new Uint8Array(length + 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const text = latin1Text(bytes, 1, length + 1);
    assert.equal(text.length, length);
    for (const i of [0, 63, 8191, 8192, length - 1]) {
      if (i >= 0 && i < length) assert.equal(text.charCodeAt(i), bytes[i + 1], `${length} at ${i}`);
    }
  }
});

test("long session keys and sub-protocol names decode whole", () => {
  const key = "k".repeat(1_500_000) + "~";
  const restore = decodeMessage(encodeRestoreSession(requestIdFromNumber(1), key));
  assert.equal(restore.kind === "restore-session" && restore.keyText, key);
  const subProtocol = "p".repeat(1_500_000) + "~";
  const accept = decodeMessage(
    encodeAcceptConf({ readTimeoutMs: 1, messageBufferSize: 1, subProtocol }),
  );
  assert.equal(accept.kind === "accept-conf" && accept.subProtocolText, subProtocol);
});
