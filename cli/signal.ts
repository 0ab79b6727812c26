/**
 * `webwire signal <url> <name> [payload]`: sends one signal.
 *
 * @example
 * ```ts
 * import { signalCommand } from "./signal.ts";
 * console.assert(signalCommand.name === "signal");
 * ```
 * @module
 */

import { integerOption, parseCommandArgs } from "./args.ts";
import type { Command } from "./command.ts";
import { checkUrl, cliErrorOf, connectClient } from "./connect.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { payloadArgument } from "./payload_argument.ts";

const help = `usage: webwire signal <url> <name> [payload] [options]

Connects, sends one signal (no reply comes back) and disconnects.

Options:
  --encoding binary|utf8|utf16   encoding of the payload (default utf8, binary with
                                 --payload-base64); binary sends the text's UTF-8 bytes
  --payload-base64 B64           the payload as exact bytes, in standard base64 (as
                                 listen --json prints them; line breaks are skipped),
                                 instead of [payload]: for bytes that are not UTF-8.
                                 Always binary: --encoding utf8 or utf16 is refused
  --timeout MS                   connection timeout (default 10000)
  -h, --help                     this help

Examples:
  webwire signal ws://127.0.0.1:8080/ echo-signal hi
  webwire signal ws://127.0.0.1:8080/ echo-signal --payload-base64 /wCA

${exitCodesHelp}`;

/**
 * The `signal` command.
 *
 * @example
 * ```ts
 * import { signalCommand } from "./signal.ts";
 * console.assert(signalCommand.help.startsWith("usage: webwire signal"));
 * ```
 */
export const signalCommand: Command = {
  name: "signal",
  summary: "send a signal",
  help,
  async run(args) {
    const parsed = parseCommandArgs(args, {
      encoding: { type: "string" },
      "payload-base64": { type: "string" },
      timeout: { type: "string" },
    });
    if (parsed.values.help === true) {
      console.log(help);
      return ExitCode.Ok;
    }
    const [rawUrl, name, text, ...extra] = parsed.positionals;
    const url = checkUrl(rawUrl);
    if (name === undefined) throw new CliError(ExitCode.Usage, "expected a signal name");
    if (extra.length > 0) {
      throw new CliError(ExitCode.Usage, `unexpected argument "${extra[0]}" (quote the payload)`);
    }
    const { payload, encoding } = payloadArgument(parsed, text);
    const timeout = integerOption(parsed, "timeout", 10_000, 1, 2 ** 31 - 1);
    const client = await connectClient(url, { timeout });
    try {
      client.signal(name, payload, { encoding });
      return ExitCode.Ok;
    } catch (error) {
      throw cliErrorOf(error);
    } finally {
      await client.close();
    }
  },
};
