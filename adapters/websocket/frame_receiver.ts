/**
 * Bytes in: the frames a WebSocket client sends (RFC 6455, section 5), or with `fromServer` those
 * a server sends, read from a byte stream in pieces of any size, unmasked and put together into
 * messages. Portable: it knows no socket,
 * only `Uint8Array`s, and reports what it read to a {@link FrameSink}.
 *
 * Every message is handed out in an array of its own (never a view of the stream's buffer, so a
 * handler may keep it), and nothing larger than the message limit is ever buffered: a frame
 * that announces more fails the connection before its payload arrives.
 *
 * @example
 * ```ts
 * import { FrameReceiver, type FrameSink } from "./frame_receiver.ts";
 * const got: string[] = [];
 * const sink: FrameSink = {
 *   message: (data) => got.push(typeof data === "string" ? data : `${data.length} bytes`),
 *   ping: () => {},
 *   peerClose: (code) => got.push(`close ${code}`),
 *   fail: (code, reason) => got.push(`fail ${code}: ${reason}`),
 * };
 * const receiver = new FrameReceiver(sink, 1024);
 * // A masked binary frame of 3 bytes (mask 0), split over two reads.
 * receiver.receive(new Uint8Array([0x82, 0x83, 0, 0]));
 * receiver.receive(new Uint8Array([0, 0, 1, 2, 3]));
 * // A close frame with code 1000.
 * receiver.receive(new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
 * console.assert(got.join("; ") === "3 bytes; close 1000");
 * ```
 * @module
 */

import { unmaskCopy } from "./unmask.ts";

/**
 * What a {@link FrameReceiver} reports. After `peerClose` or `fail` it reports nothing more.
 *
 * @example
 * ```ts
 * import { FrameReceiver, type FrameSink } from "./frame_receiver.ts";
 * const pongs: Uint8Array[] = [];
 * let failed = "";
 * const sink: FrameSink = {
 *   message: (data) => console.log("message", data),
 *   ping: (payload) => pongs.push(payload), // a socket sends a pong with this payload back
 *   peerClose: (code, reason) => console.log("peer closed", code, reason),
 *   fail: (code, reason) => failed = `${code} ${reason}`, // a socket closes with this code
 * };
 * const receiver = new FrameReceiver(sink, 1024);
 * receiver.receive(new Uint8Array([0x89, 0x82, 0, 0, 0, 0, 7, 7])); // a masked ping, 2 bytes
 * receiver.receive(new Uint8Array([0x82, 0x01, 42])); // unmasked: clients must mask
 * console.assert(pongs[0].join() === "7,7");
 * console.assert(failed === "1002 a client frame without a mask");
 * ```
 */
export interface FrameSink {
  /** A whole message: bytes for a binary one, a string for a text one (valid UTF-8). */
  message(data: Uint8Array | string): void;
  /** A ping: answer it with a pong carrying `payload`. */
  ping(payload: Uint8Array): void;
  /** The peer's close frame: its code (1005 when it gave none) and reason. */
  peerClose(code: number, reason: string): void;
  /**
   * The peer broke the protocol: 1002 (a malformed frame), 1007 (a text message or close reason
   * that is not UTF-8) or 1009 (a message over the limit). `reason` says what was wrong.
   */
  fail(code: number, reason: string): void;
}

const opContinuation = 0x0;
const opText = 0x1;
const opBinary = 0x2;
const opClose = 0x8;
const opPing = 0x9;
const opPong = 0xa;

/** A partial frame kept between reads is dropped once done if its buffer is larger than this. */
const keptCarrySize = 4096;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads client frames from a stream of bytes, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { FrameReceiver } from "./frame_receiver.ts";
 * let failure = "";
 * const receiver = new FrameReceiver({
 *   message: () => {},
 *   ping: () => {},
 *   peerClose: () => {},
 *   fail: (code, reason) => failure = `${code} ${reason}`,
 * }, 1024);
 * // Clients must mask their frames: this one is not masked.
 * receiver.receive(new Uint8Array([0x82, 0x01, 0x07]));
 * console.assert(failure === "1002 a client frame without a mask");
 * ```
 */
export class FrameReceiver {
  readonly #sink: FrameSink;
  readonly #maxMessageSize: number;
  /** 4 when frames must be masked (a client's), 0 when they must not (a server's). */
  readonly #maskLength: number;
  /** Bytes of a frame not yet complete, kept from earlier reads. */
  #carry: Uint8Array | undefined;
  #carryLength = 0;
  /** The length of the last frame kept whole between reads: how far the carry need grow. */
  #announced = 0;
  /**
   * The unmasked bytes of a message still being sent, in one buffer that grows by doubling up
   * to the message limit (so that empty or tiny fragments cost no memory of their own);
   * `undefined` when no message is open.
   */
  #fragments: Uint8Array | undefined;
  #fragmentsSize = 0;
  #fragmentsAreText = false;
  #done = false;

  /**
   * @param sink receives the messages and events.
   * @param maxMessageSize the largest message taken, in bytes (a larger one fails with 1009).
   * @param fromServer reads a server's frames (a client's socket): unmasked, where a masked one
   *   fails with 1002. Default: a client's frames, which must be masked.
   */
  constructor(sink: FrameSink, maxMessageSize: number, fromServer = false) {
    this.#sink = sink;
    this.#maxMessageSize = maxMessageSize;
    this.#maskLength = fromServer ? 0 : 4;
  }

  /** Bytes of the buffer kept for a frame not complete yet (0 when none is kept). */
  get keptBytes(): number {
    return this.#carry?.length ?? 0;
  }

  /** Whether a close frame or a failure has ended reading. */
  get done(): boolean {
    return this.#done;
  }

  /** Ends reading: what comes from now on is dropped, as after a failure. */
  stop(): void {
    this.#done = true;
    this.#fragments = undefined;
    this.#dropCarry();
  }

  /**
   * Reads the next bytes of the stream. The bytes are not kept: the caller may reuse `chunk`'s
   * memory once this returns.
   */
  receive(chunk: Uint8Array): void {
    if (this.#done) return;
    let bytes = chunk;
    let end = chunk.length;
    if (this.#carryLength > 0) {
      bytes = this.#appendToCarry(chunk);
      end = this.#carryLength;
    }
    let offset = 0;
    while (!this.#done) {
      const used = this.#readFrame(bytes, offset, end);
      if (used === 0) break;
      offset += used;
    }
    if (this.#done) return this.#dropCarry();
    this.#keep(bytes, offset, end);
  }

  /**
   * Reads the frame at `offset`: the bytes it took, or 0 when it is not complete yet (or the
   * connection failed).
   */
  #readFrame(bytes: Uint8Array, offset: number, end: number): number {
    const available = end - offset;
    if (available < 2) return 0;
    const first = bytes[offset];
    const second = bytes[offset + 1];
    if ((first & 0x70) !== 0) return this.#fail(1002, "a frame with reserved bits set");
    const maskLength = this.#maskLength;
    if (((second & 0x80) === 0) === (maskLength !== 0)) {
      return this.#fail(
        1002,
        maskLength === 0 ? "a server frame with a mask" : "a client frame without a mask",
      );
    }
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    let length = second & 0x7f;
    let headerLength = 2 + maskLength;
    if (length === 126) {
      if (available < 4) return 0;
      length = (bytes[offset + 2] << 8) | bytes[offset + 3];
      headerLength = 4 + maskLength;
    } else if (length === 127) {
      if (available < 10) return 0;
      const high = ((bytes[offset + 2] << 24) | (bytes[offset + 3] << 16) |
        (bytes[offset + 4] << 8) | bytes[offset + 5]) >>> 0;
      // RFC 6455, 5.2: the most significant bit of a 64-bit length must be 0.
      if (high >= 0x80000000) return this.#fail(1002, "a 64-bit length with its top bit set");
      const low = ((bytes[offset + 6] << 24) | (bytes[offset + 7] << 16) |
        (bytes[offset + 8] << 8) | bytes[offset + 9]) >>> 0;
      // Over 2^53 is no JavaScript integer, and far over any limit.
      length = high >= 0x200000 ? Infinity : high * 0x100000000 + low;
      headerLength = 10 + maskLength;
    }
    const problem = this.#checkHeader(fin, opcode, length);
    if (problem !== undefined) return this.#fail(problem.code, problem.reason);
    const frameLength = headerLength + length;
    if (available < frameLength) {
      this.#reserveCarry(frameLength, available);
      return 0;
    }
    this.#handleFrame(fin, opcode, bytes, offset + headerLength, length);
    return frameLength;
  }

  /** What is wrong with a frame's header, or `undefined`. */
  #checkHeader(
    fin: boolean,
    opcode: number,
    length: number,
  ): { code: number; reason: string } | undefined {
    if (opcode >= opClose) {
      if (opcode > opPong) return { code: 1002, reason: `unknown opcode ${opcode}` };
      if (!fin) return { code: 1002, reason: "a fragmented control frame" };
      if (length > 125) return { code: 1002, reason: "a control frame over 125 bytes" };
      return undefined;
    }
    if (opcode === opContinuation) {
      if (this.#fragments === undefined) {
        return { code: 1002, reason: "a continuation frame with no message to continue" };
      }
    } else if (opcode === opText || opcode === opBinary) {
      if (this.#fragments !== undefined) {
        return { code: 1002, reason: "a new message before the last one's final fragment" };
      }
    } else return { code: 1002, reason: `unknown opcode ${opcode}` };
    if (this.#fragmentsSize + length > this.#maxMessageSize) {
      return {
        code: 1009,
        reason: `message over the buffer size of ${this.#maxMessageSize} bytes`,
      };
    }
    return undefined;
  }

  #handleFrame(
    fin: boolean,
    opcode: number,
    bytes: Uint8Array,
    payloadAt: number,
    length: number,
  ): void {
    const payload = this.#maskLength === 0
      ? bytes.slice(payloadAt, payloadAt + length)
      : unmaskCopy(bytes, payloadAt - 4, length);
    switch (opcode) {
      case opPing:
        return this.#sink.ping(payload);
      case opPong:
        return;
      case opClose:
        return this.#readClose(payload);
    }
    if (fin && opcode !== opContinuation) return this.#deliver(payload, opcode === opText);
    if (opcode !== opContinuation) {
      this.#fragments = payload;
      this.#fragmentsSize = length;
      this.#fragmentsAreText = opcode === opText;
      return;
    }
    if (length > 0) this.#appendFragment(payload);
    if (!fin) return;
    const size = this.#fragmentsSize;
    const gathered = this.#fragments!;
    // The message gets an array of its own, exactly its size.
    const whole = gathered.length === size ? gathered : gathered.slice(0, size);
    const text = this.#fragmentsAreText;
    this.#fragments = undefined;
    this.#fragmentsSize = 0;
    this.#deliver(whole, text);
  }

  /** Adds a fragment's bytes to the open message (the header check kept it within the limit). */
  #appendFragment(payload: Uint8Array): void {
    const size = this.#fragmentsSize + payload.length;
    let gathered = this.#fragments!;
    if (gathered.length < size) {
      const capacity = Math.min(Math.max(size, gathered.length * 2, 256), this.#maxMessageSize);
      const grown = new Uint8Array(capacity);
      grown.set(gathered.subarray(0, this.#fragmentsSize));
      gathered = this.#fragments = grown;
    }
    gathered.set(payload, this.#fragmentsSize);
    this.#fragmentsSize = size;
  }

  #deliver(payload: Uint8Array, text: boolean): void {
    if (!text) return this.#sink.message(payload);
    let decoded: string;
    try {
      decoded = utf8.decode(payload);
    } catch {
      this.#fail(1007, "invalid UTF-8 in a text frame");
      return;
    }
    this.#sink.message(decoded);
  }

  #readClose(payload: Uint8Array): void {
    if (payload.length === 1) return void this.#fail(1002, "a close frame with a 1-byte body");
    let code = 1005;
    let reason = "";
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) return void this.#fail(1002, `invalid close code ${code}`);
      try {
        reason = utf8.decode(payload.subarray(2));
      } catch {
        return void this.#fail(1007, "invalid UTF-8 in a close reason");
      }
    }
    this.#done = true;
    this.#sink.peerClose(code, reason);
  }

  #fail(code: number, reason: string): 0 {
    this.#done = true;
    this.#fragments = undefined;
    this.#sink.fail(code, reason);
    return 0;
  }

  /**
   * Makes room to keep a frame of `frameLength` bytes, `available` of them here, between reads:
   * room for twice what came (at least 16 KiB, so smaller frames get their room at once), not for
   * what the header announces, so that a peer makes the receiver hold only memory it has sent
   * bytes for (a 14-byte header announcing the whole message limit would otherwise reserve it).
   * The room doubles as the frame arrives (in `#appendToCarry`): a carry that holds what came is
   * kept, or every read would copy all of it again.
   */
  #reserveCarry(frameLength: number, available: number): void {
    this.#announced = frameLength;
    if (this.#carry !== undefined && this.#carry.length >= available) return;
    const grown = new Uint8Array(Math.min(frameLength, Math.max(2 * available, 16 * 1024)));
    if (this.#carry !== undefined) grown.set(this.#carry.subarray(0, this.#carryLength));
    this.#carry = grown;
  }

  #appendToCarry(chunk: Uint8Array): Uint8Array {
    const needed = this.#carryLength + chunk.length;
    if (this.#carry!.length < needed) {
      // Doubling, but not past the frame being kept (its size is known once its header came).
      const doubled = Math.min(this.#carry!.length * 2, Math.max(this.#announced, needed));
      const grown = new Uint8Array(Math.max(needed, doubled));
      grown.set(this.#carry!.subarray(0, this.#carryLength));
      this.#carry = grown;
    }
    this.#carry!.set(chunk, this.#carryLength);
    this.#carryLength = needed;
    return this.#carry!;
  }

  /** Keeps the unread bytes `[offset, end)` of `bytes` for the next read. */
  #keep(bytes: Uint8Array, offset: number, end: number): void {
    const left = end - offset;
    if (left === 0) return this.#dropCarry();
    if (bytes === this.#carry) {
      if (offset > 0) bytes.copyWithin(0, offset, end);
    } else {
      if (this.#carry === undefined || this.#carry.length < left) {
        this.#carry = new Uint8Array(Math.max(left, 256));
      }
      this.#carry.set(bytes.subarray(offset, end));
    }
    this.#carryLength = left;
  }

  #dropCarry(): void {
    this.#carryLength = 0;
    if (this.#carry !== undefined && (this.#done || this.#carry.length > keptCarrySize)) {
      this.#carry = undefined;
    }
  }
}

/** Close codes a peer may send (RFC 6455, section 7.4, and IANA's registry). */
function isValidCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}
