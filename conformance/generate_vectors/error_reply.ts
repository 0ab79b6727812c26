/**
 * Error replies (type 0): the layout and every error-reply vector, valid and invalid: code
 * lengths 0 to 255, message text that is or is not UTF-8, non-printable codes.
 *
 * @example
 * ```ts
 * import { addErrorReplyVectors } from "./error_reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addErrorReplyVectors(set);
 * console.assert(set.vectors.every((v) => v.id.startsWith("error-reply/")));
 * ```
 * @module
 */

import { toHex } from "../manifest.ts";
import { cat, isPrintable, latin1, printableName, strictUtf8, utf8 } from "./bytes.ts";
import { type Built, nonPrintable } from "./built_message.ts";
import { ids } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Error reply: `0, id[8], n, code[n], message`.
 *
 * @example
 * ```ts
 * import { errorReply } from "./error_reply.ts";
 * const built = errorReply(new Uint8Array(8), new Uint8Array([0x45]), new Uint8Array());
 * console.assert(built.expect.errorCode === "E" && built.bytes.length === 11);
 * ```
 */
export function errorReply(id: Uint8Array, code: Uint8Array, message: Uint8Array): Built {
  const text = strictUtf8(message);
  return {
    bytes: cat(0, id, code.length, code, message),
    sender: "server",
    expect: {
      type: 0,
      kind: "error-reply",
      idHex: toHex(id),
      ...(isPrintable(code) ? { errorCode: latin1(code) } : {}),
      errorCodeHex: toHex(code),
      ...(text === undefined ? {} : { errorMessage: text }),
      errorMessageHex: toHex(message),
    },
    nonCanonical: nonPrintable("error code", code),
  };
}

/**
 * Adds every error-reply vector to `set`.
 *
 * @example
 * ```ts
 * import { addErrorReplyVectors } from "./error_reply.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addErrorReplyVectors(set);
 * console.assert(set.files.has("error-reply/code255.bin"));
 * ```
 */
export function addErrorReplyVectors(set: VectorSet): void {
  set.invalid("error-reply/len1", "the type byte alone", "server", cat(0), "too-short");
  set.invalid(
    "error-reply/len10",
    "10 bytes: id and code length 1, no code; minimum is 11",
    "server",
    cat(0, ids.first, 1),
    "too-short",
  );
  set.invalid(
    "error-reply/len10_code0",
    "10 bytes with code length 0: the minimum is checked first",
    "server",
    cat(0, ids.first, 0),
    "too-short",
  );
  set.valid(
    "error-reply/len11",
    "11 bytes: 1-byte code, empty message",
    errorReply(ids.first, cat("E"), cat()),
  );
  set.valid(
    "error-reply/len12",
    "12 bytes: 1-byte code, 1-byte message",
    errorReply(ids.first, cat("E"), cat("m")),
  );
  set.invalid(
    "error-reply/code0",
    "code length 0",
    "server",
    cat(0, ids.first, 0, "message"),
    "empty-error-code",
  );
  set.invalid(
    "error-reply/code0_len11",
    "11 bytes with code length 0",
    "server",
    cat(0, ids.first, 0, "m"),
    "empty-error-code",
  );
  set.invalid(
    "error-reply/code2_len11",
    "code length 2 with 1 code byte",
    "server",
    cat(0, ids.first, 2, "E"),
    "code-overflow",
  );
  set.invalid(
    "error-reply/code255_truncated",
    "code length 255 with 254 code bytes",
    "server",
    cat(0, ids.first, 255, printableName(254)),
    "code-overflow",
  );
  set.valid(
    "error-reply/code255",
    "255-byte code, empty message",
    errorReply(ids.answer, printableName(255), cat()),
  );
  set.valid(
    "error-reply/code255_message",
    "255-byte code and a message",
    errorReply(ids.answer, printableName(255), cat("boom")),
  );
  set.valid(
    "error-reply/typical",
    "a typical error",
    errorReply(ids.ascending, cat("NOT_FOUND"), utf8("user 42 does not exist")),
  );
  set.valid(
    "error-reply/utf8_message",
    "a message with multi-byte UTF-8",
    errorReply(ids.max, cat("E_UTF8"), utf8("Ungültig — 失敗 😀")),
  );
  set.valid(
    "error-reply/invalid_utf8_message",
    "a message that is not valid UTF-8: not checked",
    errorReply(ids.first, cat("E"), cat(0xc3, 0x28)),
  );
  set.valid(
    "error-reply/code_nonprintable",
    "a code with byte 0x01: receivers accept, writers refuse",
    errorReply(ids.first, cat(0x01, "X"), cat("m")),
  );
  set.valid(
    "error-reply/code_with_space",
    "a code with a space and a tilde (printable bounds 32 and 126)",
    errorReply(ids.first, cat(" ~"), cat()),
  );
}
