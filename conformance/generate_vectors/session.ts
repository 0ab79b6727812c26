/**
 * Session messages: session created (21) and closed (22) from the server, close session (31)
 * and restore session (32) from the client. Their layouts and every session vector.
 *
 * @example
 * ```ts
 * import { addSessionVectors } from "./session.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSessionVectors(set);
 * console.assert(set.vectors.every((v) => v.id.startsWith("session/")));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, isPrintable, latin1, strictUtf8, utf8 } from "./bytes.ts";
import type { Built } from "./built_message.ts";
import { ids, sessionJsonText, sessionKeyText } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Session created: `21, json`; the JSON is not parsed by the codec.
 *
 * @example
 * ```ts
 * import { sessionCreated } from "./session.ts";
 * console.assert(sessionCreated(new Uint8Array([0x7b, 0x7d])).expect.sessionJson === "{}");
 * ```
 */
export function sessionCreated(json: Uint8Array): Built {
  const text = strictUtf8(json);
  return {
    bytes: cat(21, json),
    sender: "server",
    expect: {
      type: 21,
      kind: "session-created",
      ...(text === undefined ? {} : { sessionJson: text }),
      sessionJsonHex: toHex(json),
    },
  };
}

/**
 * Session closed: exactly the type byte 22.
 *
 * @example
 * ```ts
 * import { sessionClosed } from "./session.ts";
 * console.assert(sessionClosed.bytes.length === 1);
 * ```
 */
export const sessionClosed: Built = {
  bytes: cat(22),
  sender: "server",
  expect: { type: 22, kind: "session-closed" },
};

/**
 * Close session: `31, id[8]`, exactly 9 bytes.
 *
 * @example
 * ```ts
 * import { closeSession } from "./session.ts";
 * console.assert(closeSession(new Uint8Array(8)).bytes.length === 9);
 * ```
 */
export function closeSession(id: Uint8Array): Built {
  return {
    bytes: cat(31, id),
    sender: "client",
    expect: { type: 31, kind: "close-session", idHex: toHex(id) },
  };
}

/**
 * Restore session: `32, id[8], key`, the key being at least one byte.
 *
 * @example
 * ```ts
 * import { restoreSession } from "./session.ts";
 * console.assert(restoreSession(new Uint8Array(8), new Uint8Array([0x6b])).expect.sessionKey === "k");
 * ```
 */
export function restoreSession(id: Uint8Array, key: Uint8Array): Built {
  return {
    bytes: cat(32, id, key),
    sender: "client",
    expect: {
      type: 32,
      kind: "restore-session",
      idHex: toHex(id),
      ...(isPrintable(key) ? { sessionKey: latin1(key) } : {}),
      sessionKeyHex: toHex(key),
    },
  };
}

/**
 * Adds every session vector to `set`.
 *
 * @example
 * ```ts
 * import { addSessionVectors } from "./session.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addSessionVectors(set);
 * console.assert(set.files.has("session/restore_typical.bin"));
 * ```
 */
export function addSessionVectors(set: VectorSet): void {
  set.invalid(
    "session/created_len1",
    "session created of 1 byte: minimum is 2",
    "server",
    cat(21),
    "too-short",
  );
  set.valid(
    "session/created_len2",
    "session created of 2 bytes: the codec does not parse the JSON",
    sessionCreated(cat("x")),
  );
  set.valid("session/created_len3", "session created of 3 bytes", sessionCreated(cat("{}")));
  set.valid(
    "session/created_typical",
    "session JSON without info",
    sessionCreated(utf8(sessionJsonText)),
  );
  set.valid(
    "session/created_info",
    "session JSON with info and non-ASCII text",
    sessionCreated(
      utf8(`${sessionJsonText.slice(0, -1)},"i":{"user":"zoë","roles":["admin","dev"],"n":1}}`),
    ),
  );
  set.valid(
    "session/created_invalid_utf8",
    "session JSON bytes that are not UTF-8: not checked",
    sessionCreated(cat(0xff, 0xfe)),
  );
  set.valid("session/closed", "session closed: exactly 1 byte", sessionClosed);
  set.invalid(
    "session/closed_len2",
    "session closed of 2 bytes",
    "server",
    cat(22, 0),
    "bad-length",
  );
  set.invalid(
    "session/closed_len9",
    "session closed with an id",
    "server",
    cat(22, ids.first),
    "bad-length",
  );
  set.invalid(
    "session/close_len1",
    "close session: the type byte alone",
    "client",
    cat(31),
    "bad-length",
  );
  set.invalid(
    "session/close_len8",
    "close session of 8 bytes",
    "client",
    cat(31, ids.first.subarray(0, 7)),
    "bad-length",
  );
  set.valid("session/close_len9", "close session: exactly 9 bytes", closeSession(ids.first));
  set.valid("session/close_id_max", "close session with id ff..ff", closeSession(ids.max));
  set.invalid(
    "session/close_len10",
    "close session of 10 bytes",
    "client",
    cat(31, ids.first, 0),
    "bad-length",
  );
  set.invalid(
    "session/restore_len1",
    "restore session: the type byte alone",
    "client",
    cat(32),
    "too-short",
  );
  set.invalid(
    "session/restore_len9",
    "restore session without a key: minimum is 10",
    "client",
    cat(32, ids.first),
    "too-short",
  );
  set.valid(
    "session/restore_len10",
    "restore session with a 1-byte key",
    restoreSession(ids.first, cat("k")),
  );
  set.valid(
    "session/restore_len11",
    "restore session with a 2-byte key",
    restoreSession(ids.first, cat("kk")),
  );
  set.valid(
    "session/restore_typical",
    "restore session with a 64-character key",
    restoreSession(ids.answer, cat(sessionKeyText)),
  );
  set.valid(
    "session/restore_padded_key",
    "a base64url key with = padding",
    restoreSession(ids.ascending, cat("YWJj==")),
  );
}
