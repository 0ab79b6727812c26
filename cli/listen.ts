/**
 * `webwire listen <url>`: prints the server's signals as they arrive.
 *
 * @example
 * ```ts
 * import { splitNamePayload } from "./listen.ts";
 * console.assert(splitNamePayload("echo-signal=hi").join("|") === "echo-signal|hi");
 * ```
 * @module
 */

import type { Client } from "../client/client.ts";
import type { ServerSignal } from "../client/events.ts";
import { onStopSignals } from "../conformance/stop_signals.ts";
import type { Payload } from "../protocol/payload.ts";
import { choiceOption, integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { checkUrl, cliErrorOf, connectClient } from "./connect.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { base64Of } from "./payload_base64.ts";
import { printLineOrFail } from "./stdout_line.ts";

const help = `usage: webwire listen <url> [options]

Connects and prints each signal the server sends, one line each: "<name> <payload>"
(the payload as text), and the reply to each --request: "reply to <name>: <payload>".
Runs until Ctrl-C, SIGTERM or SIGHUP (its terminal closed; not on Windows) stops it
(exit 0), --count signals arrived and every --request has its reply, its output is
closed (a reader such as "head" has gone: exit 0; noticed at the next line it prints),
or the connection is lost (exit 3).

Options:
  --count N                  stop after N signals
  --timeout MS               give up after MS: exit 4 if --count signals or the reply to
                             a --request did not arrive (naming what is missing), else
                             exit 0; also the connection and request timeout
  --signal NAME[=PAYLOAD]    send this signal once connected (repeatable)
  --request NAME[=PAYLOAD]   send this request once connected (repeatable: each once the
                             previous one's reply came) and print its reply; an error
                             reply exits with 1
  --session KEY              restore the session KEY first: signals to the session arrive
                             here (also those kept while no connection held it)
  --encoding binary|utf8|utf16
                             encoding of the --signal and --request payloads (default utf8)
  --json                     print each signal as a JSON line {"name","encoding","payload"}
                             and each reply as {"reply","encoding","payload"}; a binary
                             payload also as "base64" (its exact bytes)
  -h, --help                 this help

Examples (the conformance service echoes "echo-signal" back to its sender):
  webwire listen ws://127.0.0.1:8080/ --signal echo-signal=hi --count 1
  webwire listen ws://127.0.0.1:8080/ --session "$KEY"

${exitCodesHelp}`;

/**
 * Splits `NAME=PAYLOAD` at the first `=`; without one, the payload is `undefined`.
 *
 * @example
 * ```ts
 * import { splitNamePayload } from "./listen.ts";
 * console.assert(splitNamePayload("tick")[1] === undefined);
 * ```
 */
export function splitNamePayload(text: string): [string, string | undefined] {
  const at = text.indexOf("=");
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * One output line for a signal.
 *
 * @example
 * ```ts
 * import { formatSignal } from "./listen.ts";
 * import { Payload } from "@webwire/webwire/protocol";
 * console.assert(formatSignal({ name: "n", payload: Payload.from("p") }, false) === "n p");
 * ```
 */
export function formatSignal(signal: ServerSignal, json: boolean): string {
  const text = signal.payload.text();
  if (json) return JSON.stringify({ name: signal.name, ...payloadFields(signal.payload, text) });
  return `${signal.name} ${text}`;
}

/**
 * One output line for the reply to the request `name`.
 *
 * @example
 * ```ts
 * import { formatReply } from "./listen.ts";
 * import { Payload } from "@webwire/webwire/protocol";
 * console.assert(formatReply("echo", Payload.from("hi"), false) === "reply to echo: hi");
 * const json = formatReply("echo", Payload.from("hi"), true);
 * console.assert(json === '{"reply":"echo","encoding":"utf8","payload":"hi"}');
 * ```
 */
export function formatReply(name: string, reply: Payload, json: boolean): string {
  const text = reply.text();
  if (json) return JSON.stringify({ reply: name, ...payloadFields(reply, text) });
  return `reply to ${name}: ${text}`;
}

/** A payload's JSON fields: its encoding and text, and a binary one's exact bytes in base64. */
function payloadFields(payload: Payload, text: string): Record<string, string> {
  const fields = { encoding: payload.encoding, payload: text };
  return payload.encoding === "binary" ? { ...fields, base64: base64Of(payload.bytes) } : fields;
}

function listOption(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The `listen` command.
 *
 * @example
 * ```ts
 * import { listenCommand } from "./listen.ts";
 * console.assert(listenCommand.name === "listen");
 * ```
 */
export const listenCommand: Command = {
  name: "listen",
  summary: "print the server's signals as they arrive",
  help,
  async run(args) {
    const parsed = parseCommandArgs(args, {
      count: { type: "string" },
      timeout: { type: "string" },
      signal: { type: "string", multiple: true },
      request: { type: "string", multiple: true },
      json: { type: "boolean" },
      session: { type: "string" },
      encoding: { type: "string" },
    });
    if (parsed.values.help === true) {
      console.log(help);
      return ExitCode.Ok;
    }
    const [rawUrl, ...extra] = parsed.positionals;
    const url = checkUrl(rawUrl);
    if (extra.length > 0) throw new CliError(ExitCode.Usage, `unexpected argument "${extra[0]}"`);
    const count = integerOption(parsed, "count", 0, 1, 2 ** 31 - 1);
    const timeout = integerOption(parsed, "timeout", 0, 1, 2 ** 31 - 1);
    const json = parsed.values.json === true;
    const encoding = choiceOption(parsed, "encoding", ["binary", "utf8", "utf16"], "utf8");
    /** A --signal or --request payload in `encoding` (binary: the text's UTF-8 bytes). */
    const payloadOf = (text: string | undefined) =>
      encoding === "binary" && text !== undefined ? new TextEncoder().encode(text) : text;
    let received = 0;
    let finish!: (outcome: number | CliError) => void;
    const done = new Promise<number | CliError>((resolve) => finish = resolve);
    let over = false;
    void done.then(() => over = true);
    /**
     * Prints a line; once nobody reads stdout (`listen | head -1`), listening is over, and a
     * line stdout cannot take (a full disk) ends it with 1.
     */
    const print = (line: string): void => {
      try {
        if (!printLineOrFail(line)) finish(ExitCode.Ok);
      } catch (error) {
        finish(error as CliError);
      }
    };
    // Ctrl-C, SIGTERM (a supervisor's stop) and SIGHUP (a closed terminal) end listening
    // alike, while connecting too: not an error, and the connection closed with a close frame.
    // The handlers stay until the connection is closed: a terminal's Ctrl-C or hang-up comes
    // twice through npm's launcher (to the process group, and forwarded), and without a
    // handler the second one would kill listen while it closes (exit 130 or 129).
    const interrupted = new AbortController();
    const stopWatching = onStopSignals(() => {
      interrupted.abort();
      finish(ExitCode.Ok);
    });
    // The replies still due, by request name; once --count signals arrived, listen waits for
    // them. Signals kept for --session arrive during the restore, before any request is sent:
    // the count is checked only once the requests are under way, and `replies` settles once
    // the last reply came (or one failed).
    let replies: Promise<void> = Promise.resolve();
    const pending: string[] = [];
    let sent = false;
    const finishIfCounted = (): void => {
      if (sent && count > 0 && received >= count) void replies.then(() => finish(ExitCode.Ok));
    };
    let client: Client;
    try {
      client = await connectClient(url, {
        timeout: timeout > 0 ? timeout : 10_000,
        session: stringOption(parsed, "session"),
        abort: interrupted.signal,
        onSignal: (signal) => {
          if (count > 0 && received >= count) return;
          print(formatSignal(signal, json));
          if (++received === count) finishIfCounted();
        },
        onLost: (error) =>
          finish(
            new CliError(
              ExitCode.Unreachable,
              `lost the connection to the server: ${error.message}`,
            ),
          ),
      });
    } catch (error) {
      stopWatching();
      if (interrupted.signal.aborted) return ExitCode.Ok;
      throw error;
    }
    const timer = timeout > 0 ? setTimeout(() => finish(timedOut()), timeout) : undefined;
    /** What a --timeout ends with: 0 once nothing awaited is missing, else what is missing. */
    function timedOut(): number | CliError {
      const missing: string[] = [];
      if (count > 0 && received < count) missing.push(`${received} of ${count} signals`);
      if (pending.length > 0) {
        missing.push(`no reply yet to ${pending.map((name) => `"${name}"`).join(", ")}`);
      }
      if (missing.length === 0) return ExitCode.Ok;
      return new CliError(
        ExitCode.Timeout,
        `timed out after ${timeout} ms with ${missing.join(" and ")}`,
      );
    }
    try {
      for (const item of listOption(parsed.values.signal)) {
        const [name, payload] = splitNamePayload(item);
        client.signal(name, payloadOf(payload), { encoding });
      }
      // One request at a time, each once the previous one's reply came: a later one may
      // rely on an earlier one (--request login=ada --request whoami), and a server runs the
      // requests of a connection concurrently, so whoami sent along with login could be
      // answered before login's session exists.
      const requests = listOption(parsed.values.request).map(splitNamePayload);
      pending.push(...requests.map(([name]) => name));
      replies = (async () => {
        for (const [name, payload] of requests) {
          if (over) return;
          let reply: Payload;
          try {
            reply = await client.request(name, payloadOf(payload), { encoding });
          } catch (error) {
            finish(cliErrorOf(error));
            return;
          }
          pending.shift();
          print(formatReply(name, reply, json));
        }
      })();
      sent = true;
      finishIfCounted();
    } catch (error) {
      finish(cliErrorOf(error));
    }
    const outcome = await done;
    clearTimeout(timer);
    try {
      await client.close();
    } finally {
      stopWatching();
    }
    if (outcome instanceof CliError) throw outcome;
    return outcome;
  },
};
