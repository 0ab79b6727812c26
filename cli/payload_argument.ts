/**
 * The payload of `call` and `signal` and the encoding it is sent in: the `[payload]` argument
 * (as text, or its UTF-8 bytes with `--encoding binary`), or exact bytes from
 * `--payload-base64`, which are always binary.
 *
 * @example
 * ```ts
 * import { payloadArgument } from "./payload_argument.ts";
 * const parsed = { values: { "payload-base64": "/wCA" }, positionals: [] };
 * const { payload, encoding } = payloadArgument(parsed, undefined);
 * console.assert(encoding === "binary" && payload instanceof Uint8Array && payload[0] === 0xff);
 * ```
 * @module
 */

import type { PayloadEncoding } from "../protocol/message_type.ts";
import { choiceOption, type ParsedArgs, stringOption } from "./args.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { bytesOfBase64 } from "./payload_base64.ts";

/** The encodings `--encoding` takes. */
const encodings: readonly PayloadEncoding[] = ["binary", "utf8", "utf16"];

/**
 * What to send: the payload (none when neither the argument nor `--payload-base64` is given)
 * and its encoding.
 *
 * @example
 * ```ts
 * import type { PayloadArgument } from "./payload_argument.ts";
 * const text: PayloadArgument = { payload: "hi", encoding: "utf8" };
 * console.assert(text.encoding === "utf8");
 * ```
 */
export interface PayloadArgument {
  /** A text to send in `encoding`, exact bytes (binary), or `undefined` for none. */
  payload: string | Uint8Array | undefined;
  /** The payload's encoding. */
  encoding: PayloadEncoding;
}

/**
 * Reads `--encoding` and `--payload-base64` of `parsed`, with `text` the `[payload]` argument.
 *
 * `--payload-base64` makes the encoding binary by default: its bytes need not be text, and text
 * is better given as the argument. With `--encoding utf8` or `utf16` it is refused rather than
 * sending bytes that may not be that text, and so is a payload given both ways.
 *
 * @throws {CliError} with the usage exit code for a bad `--encoding`, base64 that is not
 * standard, both payloads at once, or `--payload-base64` with a text encoding.
 * @example
 * ```ts
 * import { payloadArgument } from "./payload_argument.ts";
 * const parsed = { values: { encoding: "binary" }, positionals: [] };
 * const { payload } = payloadArgument(parsed, "é");
 * console.assert(payload instanceof Uint8Array && payload.length === 2); // the UTF-8 bytes
 * ```
 */
export function payloadArgument(parsed: ParsedArgs, text: string | undefined): PayloadArgument {
  const base64 = stringOption(parsed, "payload-base64");
  if (base64 === undefined) {
    const encoding = choiceOption(parsed, "encoding", encodings, "utf8");
    const payload = encoding === "binary" && text !== undefined
      ? new TextEncoder().encode(text)
      : text;
    return { payload, encoding };
  }
  if (text !== undefined) {
    throw new CliError(
      ExitCode.Usage,
      "give the payload either as an argument or with --payload-base64, not both",
    );
  }
  const encoding = choiceOption(parsed, "encoding", encodings, "binary");
  if (encoding !== "binary") {
    throw new CliError(
      ExitCode.Usage,
      `--payload-base64 sends binary bytes, not ${encoding}: give ${encoding} text as the payload argument`,
    );
  }
  try {
    return { payload: bytesOfBase64(base64), encoding };
  } catch (error) {
    throw new CliError(ExitCode.Usage, `--payload-base64: ${(error as Error).message}`);
  }
}
