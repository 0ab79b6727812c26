/**
 * A debug trace of the messages a server or client sends and receives, one short line each:
 * `webwire:server 127.0.0.1:50312 ← request id=7 name="echo" 16 B`. Off unless asked for by
 * the `trace` option, the `WEBWIRE_TRACE` environment variable (`1` or `payloads`) or, in
 * browsers, `localStorage.webwireTrace`; when off it costs the core one check per message.
 *
 * @example
 * ```ts
 * import { Tracer } from "./trace.ts";
 * const lines: string[] = [];
 * const tracer = new Tracer("server", { sink: (line) => void lines.push(line) });
 * tracer.sent("127.0.0.1:50312", new Uint8Array([33]));
 * console.assert(lines[0] === "webwire:server 127.0.0.1:50312 → heartbeat 1 B");
 * ```
 * @module
 */

import { decodeMessage, type Message } from "./decode.ts";

/**
 * How to trace: `true` for one line per message, `"payloads"` to add the start of each payload,
 * `false` for no trace, or the details as {@link TraceOptions}.
 *
 * @example
 * ```ts
 * import type { TraceSetting } from "./trace.ts";
 * const fromFlag = (flag: string): TraceSetting => flag === "v" ? "payloads" : flag === "t";
 * console.assert(fromFlag("v") === "payloads" && fromFlag("x") === false);
 * ```
 */
export type TraceSetting = boolean | "payloads" | TraceOptions;

/**
 * Details of a trace.
 *
 * @example
 * ```ts
 * import type { TraceOptions } from "./trace.ts";
 * const lines: string[] = [];
 * const options: TraceOptions = { sink: (line) => void lines.push(line) };
 * options.sink?.("webwire:client → heartbeat 1 B");
 * console.assert(lines.length === 1);
 * ```
 */
export interface TraceOptions {
  /** Whether lines show the start of each payload (text, or hex for bytes); default `false`. */
  payloads?: boolean;
  /**
   * How many payload bytes a line shows at most; default 64 (a negative number counts as 0;
   * `NaN` or a value that is no number is refused with a `RangeError`).
   */
  payloadLimit?: number;
  /** Where lines go; default the logger's `debug` (`console.debug` when it has none). */
  sink?: (line: string) => void;
}

/**
 * Which side a trace is of; it names the lines (`webwire:server`, `webwire:client`).
 *
 * @example
 * ```ts
 * import type { TraceSide } from "./trace.ts";
 * const side: TraceSide = "client";
 * console.assert(side === "client");
 * ```
 */
export type TraceSide = "server" | "client";

const traceVariable = "WEBWIRE_TRACE";
const defaultPayloadLimit = 64;

/**
 * Reads a trace setting from text: `1`, `true`, `on` or `yes` trace, `payloads` traces with
 * payloads, anything else (or nothing) does not.
 *
 * @example
 * ```ts
 * import { parseTraceSetting } from "./trace.ts";
 * console.assert(parseTraceSetting("payloads") === "payloads");
 * console.assert(parseTraceSetting("1") === true && parseTraceSetting("0") === false);
 * ```
 */
export function parseTraceSetting(text: string | null | undefined): boolean | "payloads" {
  const value = (text ?? "").trim().toLowerCase();
  if (value === "payloads") return "payloads";
  return value === "1" || value === "true" || value === "on" || value === "yes";
}

interface DenoLike {
  permissions?: { querySync?(descriptor: { name: "env"; variable: string }): { state: string } };
  env?: { get(name: string): string | undefined };
}

/**
 * The trace setting of the environment: the `WEBWIRE_TRACE` variable where the runtime lets the
 * program read it (Deno only with `--allow-env`; never prompts, never throws), and, when
 * `browser` is true and the page has a `document`, `localStorage.webwireTrace`.
 *
 * @example
 * ```ts
 * import { traceSettingFromEnvironment } from "./trace.ts";
 * const setting = traceSettingFromEnvironment();
 * console.assert(setting === false || setting === true || setting === "payloads");
 * ```
 */
export function traceSettingFromEnvironment(browser = false): boolean | "payloads" {
  const global = globalThis as {
    Deno?: DenoLike;
    process?: { env?: Record<string, string | undefined> };
    document?: unknown;
    localStorage?: { getItem(key: string): string | null };
  };
  let text: string | undefined;
  try {
    const deno = global.Deno;
    if (deno !== undefined) {
      // Asking first keeps Deno from prompting for a permission the program was not given.
      const state = deno.permissions?.querySync?.({ name: "env", variable: traceVariable }).state;
      if (state === "granted") text = deno.env?.get(traceVariable);
    } else {
      text = global.process?.env?.[traceVariable];
    }
  } catch {
    // No permission, or no environment at all: no trace from it.
  }
  if (text === undefined && browser && global.document !== undefined) {
    try {
      text = global.localStorage?.getItem("webwireTrace") ?? undefined;
    } catch {
      // Storage can be denied (privacy settings, sandboxed frames).
    }
  }
  return parseTraceSetting(text);
}

/**
 * Writes trace lines for one side; the server and client make one when tracing is on and pass
 * it the messages they send and receive.
 *
 * @example
 * ```ts
 * import { Tracer } from "./trace.ts";
 * const lines: string[] = [];
 * const tracer = new Tracer("client", { payloads: true, sink: (l) => void lines.push(l) });
 * tracer.sent("ws://127.0.0.1:8080", new Uint8Array([64, 1, 0x61, 0x68, 0x69]));
 * console.assert(lines[0].endsWith('→ signal name="a" 2 B utf8 "hi"'));
 * ```
 */
export class Tracer {
  readonly #prefix: string;
  readonly #payloadLimit: number;
  readonly #sink: (line: string) => void;

  /** A tracer writing to `options.sink` (default `console.debug`). */
  constructor(side: TraceSide, options: TraceOptions = {}) {
    const limit = options.payloadLimit;
    if (limit !== undefined && (typeof limit !== "number" || Number.isNaN(limit))) {
      throw new RangeError(`trace payloadLimit must be a number, got ${String(limit)}`);
    }
    this.#prefix = `webwire:${side}`;
    this.#payloadLimit = options.payloads === true
      ? Math.max(0, options.payloadLimit ?? defaultPayloadLimit)
      : -1;
    this.#sink = options.sink ?? ((line) => console.debug(line));
  }

  /** A message received from `peer`, decoded already, or its bytes. */
  received(peer: string, message: Message | Uint8Array): void {
    this.#write(peer, "←", message);
  }

  /** A message sent to `peer`, as its encoded bytes. */
  sent(peer: string, bytes: Uint8Array): void {
    this.#write(peer, "→", bytes);
  }

  #write(peer: string, arrow: string, message: Message | Uint8Array): void {
    let text: string;
    try {
      text = describeMessage(
        message instanceof Uint8Array ? decodeMessage(message) : message,
        this.#payloadLimit,
      );
    } catch {
      const length = message instanceof Uint8Array ? message.length : message.bytes.length;
      text = `malformed ${length} B`;
    }
    try {
      this.#sink(`${this.#prefix}${peer === "" ? "" : " " + peer} ${arrow} ${text}`);
    } catch {
      // A failing sink must not break the traffic it watches.
    }
  }
}

/**
 * Makes the tracer of a server or client from its `trace` option; without the option, from
 * {@link traceSettingFromEnvironment}. Returns `undefined` when tracing is off.
 *
 * @example
 * ```ts
 * import { createTracer } from "./trace.ts";
 * console.assert(createTracer("server", false, console) === undefined);
 * console.assert(createTracer("server", true, console) !== undefined);
 * ```
 */
export function createTracer(
  side: TraceSide,
  setting: TraceSetting | undefined,
  logger: object,
): Tracer | undefined {
  const resolved = setting ?? traceSettingFromEnvironment(side === "client");
  if (resolved === false) return undefined;
  const options: TraceOptions = resolved === true
    ? {}
    : resolved === "payloads"
    ? { payloads: true }
    : resolved;
  if (options.sink !== undefined) return new Tracer(side, options);
  const debug = (logger as { debug?: unknown }).debug;
  const sink = typeof debug === "function"
    ? (line: string) => void debug.call(logger, line)
    : undefined;
  return new Tracer(side, { ...options, sink });
}

/**
 * One message in a few words: its kind, request id, name and size (the payload's for signals,
 * requests and replies, the whole message's otherwise), and with `payloadLimit` 0 or more the
 * start of its payload.
 *
 * @example
 * ```ts
 * import { describeMessage } from "./trace.ts";
 * import { decodeMessage } from "./decode.ts";
 * const reply = decodeMessage(new Uint8Array([192, 7, 0, 0, 0, 0, 0, 0, 0, 0x6f, 0x6b]));
 * console.assert(describeMessage(reply) === "reply id=7 2 B");
 * console.assert(describeMessage(reply, 64) === 'reply id=7 2 B utf8 "ok"');
 * ```
 */
export function describeMessage(message: Message, payloadLimit = -1): string {
  switch (message.kind) {
    case "signal":
      return `signal name=${JSON.stringify(message.nameText)} ` +
        sized(message.payload, message.encoding, payloadLimit);
    case "request":
      return `request id=${idText(message.id)} name=${JSON.stringify(message.nameText)} ` +
        sized(message.payload, message.encoding, payloadLimit);
    case "reply":
      return `reply id=${idText(message.id)} ` +
        sized(message.payload, message.encoding, payloadLimit);
    case "error-reply":
      return `error-reply id=${idText(message.id)} code=${JSON.stringify(message.codeText)} ` +
        sized(message.message, "utf8", payloadLimit);
    case "shutdown-reply":
    case "internal-error-reply":
    case "session-not-found-reply":
    case "max-session-connections-reply":
    case "sessions-disabled-reply":
    case "close-session":
      return `${message.kind} id=${idText(message.id)} ${message.bytes.length} B`;
    case "restore-session":
      return `restore-session id=${idText(message.id)} ${message.bytes.length} B`;
    case "session-created":
      return `session-created ` + sized(message.json, "utf8", payloadLimit);
    case "accept-conf":
      return `accept-conf v${message.major}.${message.minor} ${message.bytes.length} B`;
    default:
      return `${message.kind} ${message.bytes.length} B`;
  }
}

function idText(id: Uint8Array): string {
  let value = 0;
  for (let i = 7; i >= 0; i--) value = value * 256 + id[i];
  return Number.isSafeInteger(value) ? String(value) : Array.from(id, hexByte).join("");
}

function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

// ignoreBOM: a payload that starts with U+FEFF is shown with it, as it was sent.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const utf16 = new TextDecoder("utf-16le", { ignoreBOM: true });

function sized(payload: Uint8Array, encoding: string, limit: number): string {
  const size = `${payload.length} B`;
  if (limit < 0) return size;
  const shown = payload.subarray(0, limit - (encoding === "utf16" ? limit % 2 : 0));
  const more = payload.length > shown.length ? "…" : "";
  if (encoding === "binary") return `${size} hex ${Array.from(shown, hexByte).join("")}${more}`;
  const text = (encoding === "utf16" ? utf16 : utf8).decode(shown);
  return `${size} ${encoding} ${JSON.stringify(text)}${more}`;
}
