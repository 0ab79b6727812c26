/**
 * The tools the live server suite's checks are written with: a wire-level connection over a
 * plain standard `WebSocket` that queues raw frames (never trusting the server to send valid
 * bytes), a check context that opens and later closes connections, and small assertions whose
 * failures carry a one-line detail for the report.
 *
 * @example
 * ```ts
 * import { CheckFailure, expect } from "./server_suite_checks_support.ts";
 * try {
 *   expect(1 + 1 === 3, "arithmetic is broken");
 * } catch (error) {
 *   console.assert(error instanceof CheckFailure);
 * }
 * ```
 * @module
 */

import { decodeMessage, type Message } from "../protocol/decode.ts";
import type { PayloadEncoding } from "../protocol/message_type.ts";
import { encodeRequest } from "../protocol/encode_payload_message.ts";
import { ProtocolError } from "../protocol/protocol_error.ts";
import { WaitQueue } from "./wait_queue.ts";

/**
 * A check found the server misbehaving; `message` is the detail shown in the report.
 *
 * @example
 * ```ts
 * import { CheckFailure } from "./server_suite_checks_support.ts";
 * console.assert(new CheckFailure("no reply").message === "no reply");
 * ```
 */
export class CheckFailure extends Error {
  /** Creates the failure with its report detail. */
  constructor(detail: string) {
    super(detail);
    this.name = "CheckFailure";
  }
}

/**
 * Throws a {@link CheckFailure} with `detail` unless `condition` holds.
 *
 * @example
 * ```ts
 * import { expect } from "./server_suite_checks_support.ts";
 * expect(true, "never thrown");
 * ```
 */
export function expect(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new CheckFailure(detail);
}

/**
 * Lowercase hex of some bytes, shortened to `max` bytes with `...` for reports.
 *
 * @example
 * ```ts
 * import { hex } from "./server_suite_checks_support.ts";
 * console.assert(hex(new Uint8Array([1, 255])) === "01ff");
 * ```
 */
export function hex(bytes: Uint8Array, max = 24): string {
  let text = "";
  for (const byte of bytes.subarray(0, max)) text += byte.toString(16).padStart(2, "0");
  return bytes.length > max ? `${text}... (${bytes.length} bytes)` : text;
}

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @example
 * ```ts
 * import { sameBytes } from "./server_suite_checks_support.ts";
 * console.assert(sameBytes(new Uint8Array([1]), new Uint8Array([1])));
 * ```
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Fresh random bytes (for request ids and payloads nobody could guess).
 *
 * @example
 * ```ts
 * import { randomBytes } from "./server_suite_checks_support.ts";
 * console.assert(randomBytes(8).length === 8);
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * UTF-16 little-endian bytes of a string, as the reference clients send UTF-16 payloads.
 *
 * @example
 * ```ts
 * import { utf16le } from "./server_suite_checks_support.ts";
 * console.assert(utf16le("A").join() === "65,0");
 * ```
 */
export function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  return bytes;
}

/**
 * The type byte of a payload reply in an encoding (191, 192, 193).
 *
 * @example
 * ```ts
 * import { replyType } from "./server_suite_checks_support.ts";
 * console.assert(replyType("utf16") === 193);
 * ```
 */
export function replyType(encoding: PayloadEncoding): number {
  return encoding === "binary" ? 191 : encoding === "utf8" ? 192 : 193;
}

/**
 * One WebSocket frame as received: bytes for a binary frame, a string for a text frame.
 *
 * @example
 * ```ts
 * import type { Frame } from "./server_suite_checks_support.ts";
 * const frame: Frame = new Uint8Array([33]);
 * console.assert(frame instanceof Uint8Array);
 * ```
 */
export type Frame = Uint8Array | string;

/**
 * How a connection closed: the close code (1005 when none was given, 1006 when the TCP
 * connection dropped without a close frame) and reason.
 *
 * @example
 * ```ts
 * import type { Closure } from "./server_suite_checks_support.ts";
 * const closure: Closure = { code: 1006, reason: "" };
 * console.assert(closure.code === 1006);
 * ```
 */
export interface Closure {
  /** The close code. */
  code: number;
  /** The close reason. */
  reason: string;
}

/**
 * A wire-level connection: raw frames out, raw frames queued in, nothing decoded unless asked.
 *
 * @example
 * ```ts
 * import { SuiteConnection } from "./server_suite_checks_support.ts";
 * console.assert(typeof SuiteConnection.open === "function");
 * ```
 */
export class SuiteConnection {
  readonly #socket: WebSocket;
  readonly #queue = new WaitQueue<Frame>();
  readonly #timeoutMs: number;
  #closure: Closure | undefined;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<Closure>;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      this.#queue.push(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer));
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event: CloseEvent) => {
        this.#closure = { code: event.code, reason: event.reason };
        resolve(this.#closure);
        this.#queue.end();
      });
    });
  }

  /** Opens a socket to `url`; rejects with a {@link CheckFailure} on error or after `timeoutMs`. */
  static open(url: string, timeoutMs: number): Promise<SuiteConnection> {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      return Promise.reject(new CheckFailure(`cannot open a WebSocket to ${url}: ${error}`));
    }
    const connection = new SuiteConnection(socket, timeoutMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new CheckFailure(`WebSocket upgrade not completed within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(connection);
      };
      socket.onerror = () => {
        clearTimeout(timer);
        reject(new CheckFailure(`could not connect to ${url}`));
      };
    });
  }

  /** How the socket closed, or `undefined` while it is open. */
  get closure(): Closure | undefined {
    return this.#closure;
  }

  /** Sends raw bytes as a binary frame, or a string as a text frame. */
  send(data: Uint8Array | string): void {
    this.#socket.send(data as Uint8Array<ArrayBuffer> | string);
  }

  /** Sends a request (for building ids and payloads by hand, see `encodeRequest`). */
  request(
    id: Uint8Array,
    name: string,
    payload: Uint8Array | string,
    encoding?: PayloadEncoding,
  ): void {
    this.send(encodeRequest({ id, name, payload, encoding }));
  }

  /** The next frame; fails after `timeoutMs` or when the socket closed first. */
  async nextFrame(timeoutMs = this.#timeoutMs, waitingFor = "a message"): Promise<Frame> {
    const frame = await this.#queue.next(timeoutMs);
    if (frame !== undefined) return frame;
    if (this.#closure !== undefined) {
      throw new CheckFailure(
        `connection closed (code ${this.#closure.code}) while waiting for ${waitingFor}`,
      );
    }
    throw new CheckFailure(`nothing within ${timeoutMs} ms while waiting for ${waitingFor}`);
  }

  /** The next frame decoded; a text frame or undecodable bytes fail the check. */
  async next(waitingFor = "a message", timeoutMs = this.#timeoutMs): Promise<Message> {
    const frame = await this.nextFrame(timeoutMs, waitingFor);
    if (typeof frame === "string") {
      throw new CheckFailure(`server sent a text frame (${JSON.stringify(frame.slice(0, 40))})`);
    }
    try {
      return decodeMessage(frame);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new CheckFailure(`server sent a malformed message (${error.reason}): ${hex(frame)}`);
    }
  }

  /** Resolves to `true` if no frame arrives within `ms` (and there is none queued). */
  silentFor(ms: number): Promise<boolean> {
    return this.#queue.silentFor(ms);
  }

  /** The closure if the socket closes within `ms`, else `undefined`. */
  async closedWithin(ms: number): Promise<Closure | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    const result = await Promise.race([this.closed, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Closes the socket (harmless when already closed). */
  close(): void {
    if (this.#closure === undefined) this.#socket.close(1000);
  }
}

/**
 * What a check runs with: the server URL, the per-step timeout, and connections that the
 * runner closes when the check ends, however it ends.
 *
 * @example
 * ```ts
 * import { CheckContext } from "./server_suite_checks_support.ts";
 * const context = new CheckContext("ws://127.0.0.1:1/", 500);
 * console.assert(context.timeoutMs === 500);
 * context.closeAll();
 * ```
 */
export class CheckContext {
  /** The server's URL. */
  readonly url: string;
  /** How long one step (a connect, one awaited message) may take. */
  readonly timeoutMs: number;
  readonly #connections: SuiteConnection[] = [];
  #nextId = 1;

  /** Creates a context for one check. */
  constructor(url: string, timeoutMs: number) {
    this.url = url;
    this.timeoutMs = timeoutMs;
  }

  /** Opens a connection without reading anything from it. */
  async connect(): Promise<SuiteConnection> {
    const connection = await SuiteConnection.open(this.url, this.timeoutMs);
    this.#connections.push(connection);
    return connection;
  }

  /**
   * Opens a connection and reads its first message, which must be an accept-conf (the values
   * in it are the `accept-conf` check's business).
   */
  async handshake(): Promise<SuiteConnection> {
    const connection = await this.connect();
    const first = await connection.next("accept-conf");
    expect(first.kind === "accept-conf", `first message is ${first.kind}, not accept-conf`);
    return connection;
  }

  /** A fresh request id: a little-endian counter, as the reference client makes them. */
  nextId(): Uint8Array {
    const id = new Uint8Array(8);
    new DataView(id.buffer).setUint32(0, this.#nextId++, true);
    return id;
  }

  /** Closes every connection this context opened. */
  closeAll(): void {
    for (const connection of this.#connections) connection.close();
  }
}

/**
 * One check of the suite. `run` resolves to the detail of a pass and throws (a
 * {@link CheckFailure}, ideally) on a failure. An informational check tests behaviour that the
 * protocol allows but does not require; its outcome is reported but never counted as failed.
 *
 * @example
 * ```ts
 * import type { ServerCheck } from "./server_suite_checks_support.ts";
 * const check: ServerCheck = { name: "nothing", run: () => Promise.resolve("ok") };
 * console.assert(check.informational === undefined);
 * ```
 */
export interface ServerCheck {
  /** Unique kebab-case name. */
  name: string;
  /** True for a check whose failure is not a conformance failure. */
  informational?: boolean;
  /** Runs the check. */
  run(context: CheckContext): Promise<string>;
}

/**
 * Reads the reply to `id`, failing on anything else first (another message, another id).
 *
 * @example
 * ```ts
 * import { nextReply } from "./server_suite_checks_support.ts";
 * console.assert(typeof nextReply === "function");
 * ```
 */
export async function nextReply(
  connection: SuiteConnection,
  id: Uint8Array,
  what = "the reply",
): Promise<Message> {
  const message = await connection.next(what);
  expect("id" in message, `expected ${what}, got a ${message.kind} message`);
  expect(
    message.kind !== "request" && message.kind !== "close-session" &&
      message.kind !== "restore-session",
    `expected ${what}, got a client-only ${message.kind} message`,
  );
  expect(sameBytes(message.id, id), `${what} has id ${hex(message.id)}, expected ${hex(id)}`);
  return message;
}

/**
 * Reads one echo reply per entry of `pending` (payloads keyed by the {@link hex} of their
 * request ids), in any order: each must answer an id still pending with its payload exactly.
 * Empties `pending`.
 *
 * @example
 * ```ts
 * import { expectEchoReplies } from "./server_suite_checks_support.ts";
 * console.assert(typeof expectEchoReplies === "function");
 * ```
 */
export async function expectEchoReplies(
  connection: SuiteConnection,
  pending: Map<string, Uint8Array>,
): Promise<void> {
  const count = pending.size;
  for (let i = 0; i < count; i++) {
    const message = await connection.next(`reply ${i + 1} of ${count}`);
    expect(message.kind === "reply", `expected an echo reply, got ${describe(message)}`);
    const key = hex(message.id);
    const payload = pending.get(key);
    expect(payload !== undefined, `reply with id ${key}, which was not sent or answered twice`);
    expect(sameBytes(message.payload, payload), `reply to id ${key} carries another payload`);
    pending.delete(key);
  }
}

/**
 * Checks that `message` is a payload reply of `encoding` carrying exactly `payload`, with the
 * UTF-16 padding byte at offset 9; returns a short description.
 *
 * @example
 * ```ts
 * import { expectPayloadReply } from "./server_suite_checks_support.ts";
 * import { decodeMessage } from "../protocol/decode.ts";
 * const reply = decodeMessage(new Uint8Array([192, 1, 0, 0, 0, 0, 0, 0, 0, 0x6f, 0x6b]));
 * expectPayloadReply(reply, "utf8", new Uint8Array([0x6f, 0x6b]));
 * ```
 */
export function expectPayloadReply(
  message: Message,
  encoding: PayloadEncoding,
  payload: Uint8Array,
): string {
  const type = replyType(encoding);
  expect(message.kind === "reply", `expected a reply of type ${type}, got ${describe(message)}`);
  expect(message.type === type, `expected reply type ${type}, got ${message.type}`);
  if (encoding === "utf16") {
    expect(message.bytes[9] === 0, `UTF-16 reply padding byte is ${message.bytes[9]}, not 0`);
  }
  expect(
    sameBytes(message.payload, payload),
    `reply payload ${hex(message.payload)} differs from ${hex(payload)}`,
  );
  return `type ${type}, ${payload.length}-byte payload echoed`;
}

/**
 * A short description of a message for failure details.
 *
 * @example
 * ```ts
 * import { describe } from "./server_suite_checks_support.ts";
 * import { decodeMessage } from "../protocol/decode.ts";
 * console.assert(describe(decodeMessage(new Uint8Array([22]))) === "session-closed (type 22)");
 * ```
 */
export function describe(message: Message): string {
  if (message.kind === "error-reply") {
    return `error-reply (type 0, code ${message.codeText}: ${message.messageText})`;
  }
  return `${message.kind} (type ${message.type})`;
}
