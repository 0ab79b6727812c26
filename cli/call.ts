/**
 * `webwire call <url> [name] [payload]`: sends one request and prints the reply.
 *
 * @example
 * ```ts
 * import { callCommand } from "./call.ts";
 * console.assert(callCommand.help.includes("--encoding"));
 * ```
 * @module
 */

import { integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { checkUrl, cliErrorOf, connectClient } from "./connect.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { payloadArgument } from "./payload_argument.ts";
import { base64Of } from "./payload_base64.ts";
import { printLineOrFail } from "./stdout_line.ts";

const help = `usage: webwire call <url> [name] [payload] [options]

Sends one request to a WebWire server and prints the reply's payload as text (a binary
reply is printed as UTF-8: bytes that are not UTF-8 come out as U+FFFD; --base64 prints
them all). An error reply prints its code and message on stderr and exits with 1. The
request needs a name, a payload or both.

Options:
  --encoding binary|utf8|utf16   encoding of the payload (default utf8, binary with
                                 --payload-base64); binary sends the text's UTF-8 bytes
  --payload-base64 B64           the payload as exact bytes, in standard base64 (as
                                 --base64 prints them; line breaks are skipped), instead
                                 of [payload]: for bytes that are not UTF-8. Always
                                 binary: --encoding utf8 or utf16 is refused
  --timeout MS                   connection and reply timeout (default 10000)
  --session KEY                  restore the session KEY first, so that the request is
                                 made in it; a refused restore (not found, too many
                                 connections, sessions disabled) exits with 1
  --json                         pretty-print a reply that is JSON
  --base64                       print the reply's exact bytes (as sent, in its encoding)
                                 in base64, as listen --json does for a binary payload
  -h, --help                     this help

Examples:
  webwire call ws://127.0.0.1:8080/ echo hello
  webwire call ws://127.0.0.1:8080/ echo --payload-base64 /wCA --base64
  webwire call ws://127.0.0.1:8080/ whoami --session "$KEY"

${exitCodesHelp}`;

/**
 * Formats a reply's text: pretty-printed when `json` is set and it parses as JSON.
 *
 * @example
 * ```ts
 * import { formatReplyText } from "./call.ts";
 * console.assert(formatReplyText('{"a":1}', true) === '{\n  "a": 1\n}');
 * ```
 */
export function formatReplyText(text: string, json: boolean): string {
  if (!json) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * The `call` command.
 *
 * @example
 * ```ts
 * import { callCommand } from "./call.ts";
 * console.assert(callCommand.name === "call");
 * ```
 */
export const callCommand: Command = {
  name: "call",
  summary: "send a request and print the reply",
  help,
  async run(args) {
    const parsed = parseCommandArgs(args, {
      encoding: { type: "string" },
      "payload-base64": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      base64: { type: "boolean" },
      session: { type: "string" },
    });
    if (parsed.values.help === true) {
      console.log(help);
      return ExitCode.Ok;
    }
    const [rawUrl, name = "", text, ...extra] = parsed.positionals;
    if (extra.length > 0) {
      throw new CliError(ExitCode.Usage, `unexpected argument "${extra[0]}" (quote the payload)`);
    }
    const url = checkUrl(rawUrl);
    const { payload, encoding } = payloadArgument(parsed, text);
    const timeout = integerOption(parsed, "timeout", 10_000, 1, 2 ** 31 - 1);
    const session = stringOption(parsed, "session");
    const base64 = parsed.values.base64 === true;
    if (base64 && parsed.values.json === true) {
      throw new CliError(ExitCode.Usage, "--base64 and --json exclude each other");
    }
    const client = await connectClient(url, { timeout, session });
    try {
      const reply = await client.request(name, payload, { encoding });
      // Not console.log: Bun's would lose the reply without a word on a full disk.
      printLineOrFail(
        base64 ? base64Of(reply.bytes) : formatReplyText(reply.text(), parsed.values.json === true),
      );
      return ExitCode.Ok;
    } catch (error) {
      throw cliErrorOf(error);
    } finally {
      await client.close();
    }
  },
};
