/**
 * A WebSocket on a Deno TCP connection (`Deno.Conn`) with the framing done here
 * (`websocket/`), as the server core sees it (`TransportSocket`). Owning the TCP connection is
 * what Deno's own `WebSocket` cannot give: a close deadline that holds even against a peer that
 * never reads (`terminate` closes the connection and drops the writes it waits on), close frames
 * that reach a peer that keeps sending (nothing is read after a bad frame until the close frame
 * is out, then the write side is shut), and many messages per read and per write.
 *
 * Writes: every frame is copied into the connection's output buffer when sent (so the core may
 * reuse its own buffer: `copiesOnSend`); the buffer is written in one `write` per turn of the
 * event loop, and what is sent while a write is under way goes out with the next one. Output
 * buffers come from a pool shared by all connections: an idle connection holds none.
 *
 * @example
 * ```ts
 * import { DenoTcpSocket } from "./deno_tcp_socket.ts";
 * // Both ends of a TCP connection on 127.0.0.1; the server side sends one binary frame.
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const socket = new DenoTcpSocket(await listener.accept(), { maxMessageSize: 1024 });
 * socket.send(new Uint8Array([1, 2, 3]));
 * const received = new Uint8Array(16);
 * const n = await client.read(received);
 * console.assert(received.subarray(0, n!).join() === "130,3,1,2,3");
 * socket.terminate();
 * client.close();
 * listener.close();
 * ```
 * @module
 */

import type { TransportEvents, TransportSocket } from "../server/transport.ts";
import {
  closeFrameBody,
  frameHeaderLength,
  Opcode,
  writeFrameHeader,
} from "./websocket/frame_header.ts";
import { FrameReceiver, type FrameSink } from "./websocket/frame_receiver.ts";
import {
  type FramedSocketOptions,
  pongBacklogLimit,
  readAfterCloseLimit,
} from "./websocket/framed_socket_options.ts";

/** Size of the pooled output buffers; larger bursts get a buffer of their own. */
const outputChunkSize = 16384;
/** Output buffers kept for reuse, across all connections. */
const pooledOutputs: Uint8Array[] = [];
const maxPooledOutputs = 256;

/** Read buffer sizes: an idle connection holds the smallest; a busy one grows to the largest. */
const smallestRead = 2048;
const largestRead = 65536;
/** Reads of under an eighth of the buffer in a row before it is halved. */
const readsBeforeShrinking = 64;

/** Sockets with frames sent in this turn, written together at its end. */
let toFlush: DenoTcpSocket[] = [];

function flushAll(): void {
  const sockets = toFlush;
  toFlush = [];
  for (const socket of sockets) void socket.flush();
}

/**
 * One WebSocket connection over a `Deno.Conn`, as described in the module documentation.
 * Call {@link DenoTcpSocket.start} once the core has accepted it.
 *
 * @example
 * ```ts
 * import { DenoTcpSocket } from "./deno_tcp_socket.ts";
 * import type { TransportEvents } from "@webwire/webwire/server";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const socket = new DenoTcpSocket(await listener.accept(), { maxMessageSize: 1024 });
 * const closed = Promise.withResolvers<number>();
 * const events: TransportEvents = {
 *   message: () => {},
 *   closed: (code) => closed.resolve(code ?? 1005),
 *   drained: () => {},
 * };
 * socket.start(events);
 * // The client's close frame (masked, code 1000) is answered and reported.
 * await client.write(new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
 * console.assert(await closed.promise === 1000);
 * client.close();
 * listener.close();
 * ```
 */
export class DenoTcpSocket implements TransportSocket, FrameSink {
  readonly #conn: Deno.Conn;
  readonly #receiver: FrameReceiver;
  readonly #closeTimeout: number;
  #events: TransportEvents | undefined;
  #output: Uint8Array | undefined;
  #outputLength = 0;
  #inFlight = 0;
  #writing = false;
  #closeSent = false;
  /** The latest ping's payload while the output was too full to answer it (see `ping`). */
  #deferredPong: Uint8Array | undefined;
  #closeCode = 1005;
  #closeReason = "";
  #peerClosed = false;
  #ended = false;
  #reported = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  /** Wakes the read loop, paused after a bad frame, once the close frame is written. */
  #resumeReading: (() => void) | undefined;

  /** Wraps `conn`, a TCP (or TLS) connection whose WebSocket handshake is done. */
  constructor(conn: Deno.Conn, options: FramedSocketOptions) {
    this.#conn = conn;
    this.#receiver = new FrameReceiver(this, options.maxMessageSize);
    this.#closeTimeout = options.closeTimeout ?? 5000;
  }

  /**
   * Starts reading frames and reporting them to `events`. `first` holds bytes that came with
   * the handshake (a client may send frames right behind its upgrade request); `pending` is a
   * read of the connection already under way (its bytes, `null` at the end of the stream),
   * whose bytes follow them.
   */
  start(
    events: TransportEvents,
    first?: Uint8Array,
    pending?: Promise<Uint8Array | null>,
  ): void {
    this.#events = events;
    void this.#read(first, pending);
  }

  /** Sends bytes as they are, ahead of any frame (the handshake's response). */
  sendRaw(bytes: Uint8Array): void {
    this.#append(bytes, 0, bytes.length);
  }

  // --- TransportSocket ----------------------------------------------------------------------

  /** Sends one binary message, unless a close frame has been sent. */
  send(bytes: Uint8Array): void {
    if (!this.#closeSent) this.#sendFrame(Opcode.Binary, bytes);
  }

  /** Bytes sent and not yet written to the connection. */
  get bufferedAmount(): number {
    return this.#outputLength + this.#inFlight;
  }

  /** Always `true`: `send` copies the bytes into the output buffer. */
  get copiesOnSend(): boolean {
    return true;
  }

  /**
   * Sends the close frame after the frames already sent; once it is written, the connection's
   * write side is shut and the peer's close frame (or end of stream) ends the connection.
   */
  close(code: number, reason: string): void {
    if (this.#closeSent || this.#ended) return;
    this.#closeSent = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#sendFrame(Opcode.Close, closeFrameBody(code, reason));
  }

  /** Closes the TCP connection at once; writes not yet done are dropped. */
  terminate(): void {
    this.#end();
  }

  // --- FrameSink ----------------------------------------------------------------------------

  /** A message from the peer; dropped once the close frame has been sent. */
  message(data: Uint8Array | string): void {
    if (!this.#closeSent) this.#events?.message(data);
  }

  /** Answers a ping with a pong of its payload, at once or later ({@link pongBacklogLimit}). */
  ping(payload: Uint8Array): void {
    if (this.#closeSent) return;
    if (this.bufferedAmount < pongBacklogLimit) return this.#sendFrame(Opcode.Pong, payload);
    this.#deferredPong = payload;
  }

  #answerDeferredPing(): void {
    const payload = this.#deferredPong;
    if (payload === undefined || this.bufferedAmount >= pongBacklogLimit) return;
    this.#deferredPong = undefined;
    if (!this.#closeSent) this.#sendFrame(Opcode.Pong, payload);
  }

  /**
   * The peer's close frame: reported to the core, answered with the same code (unless the
   * server's close frame went out already), and the connection ends once that is written.
   */
  peerClose(code: number, reason: string): void {
    this.#peerClosed = true;
    this.#report(code, reason);
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#sendFrame(Opcode.Close, closeFrameBody(code, ""));
    }
    if (!this.#writing) return this.#end();
    this.#deadline = setTimeout(() => this.#end(), this.#closeTimeout);
  }

  /** A bad frame: the core decides the close (replies first); nothing more is read till then. */
  fail(code: number, reason: string): void {
    if (this.#events?.failed !== undefined) this.#events.failed(code, reason);
    else this.close(code, reason);
  }

  /** The core will close for a bad message: as after a bad frame, nothing more is read. */
  stopReading(): void {
    this.#receiver.stop();
  }

  // --- Writing ------------------------------------------------------------------------------

  #sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.#ended) return;
    const length = payload.length;
    const at = this.#reserve(frameHeaderLength(length) + length);
    const payloadAt = writeFrameHeader(this.#output!, at, opcode, length);
    this.#output!.set(payload, payloadAt);
    this.#outputLength = payloadAt + length;
    this.#scheduleFlush();
  }

  #append(bytes: Uint8Array, start: number, end: number): void {
    if (this.#ended) return;
    const at = this.#reserve(end - start);
    this.#output!.set(bytes.subarray(start, end), at);
    this.#outputLength = at + end - start;
    this.#scheduleFlush();
  }

  /** Makes room for `size` more bytes in the output buffer; returns where they go. */
  #reserve(size: number): number {
    const used = this.#outputLength;
    const output = this.#output;
    if (output === undefined) {
      this.#output = size <= outputChunkSize
        ? pooledOutputs.pop() ?? new Uint8Array(outputChunkSize)
        : new Uint8Array(size);
      return 0;
    }
    if (output.length - used >= size) return used;
    const grown = new Uint8Array(Math.max(output.length * 2, used + size));
    grown.set(output.subarray(0, used));
    release(output);
    this.#output = grown;
    return used;
  }

  #scheduleFlush(): void {
    if (this.#writing) return;
    this.#writing = true;
    if (toFlush.push(this) === 1) queueMicrotask(flushAll);
  }

  /** Writes the output buffer, and what was sent meanwhile, until nothing is left. */
  async flush(): Promise<void> {
    while (this.#outputLength > 0 && !this.#ended) {
      const buffer = this.#output!;
      const length = this.#outputLength;
      this.#output = undefined;
      this.#outputLength = 0;
      this.#inFlight = length;
      try {
        let written = 0;
        while (written < length) {
          written += await this.#conn.write(buffer.subarray(written, length));
        }
      } catch {
        // Reset by the peer, or closed by `terminate`.
        this.#inFlight = 0;
        return this.#end();
      }
      this.#inFlight = 0;
      release(buffer);
    }
    this.#writing = false;
    if (this.#ended) return;
    if (this.#closeSent) return this.#closeWritten();
    this.#answerDeferredPing();
    this.#events?.drained();
  }

  /** The close frame (ours, or the answer to the peer's) is written. */
  #closeWritten(): void {
    if (this.#peerClosed) return this.#end();
    // A FIN after the close frame, not a reset: a reset could make the peer lose the frame.
    this.#conn.closeWrite().catch(() => {});
    const resume = this.#resumeReading;
    this.#resumeReading = undefined;
    resume?.();
  }

  // --- Reading ------------------------------------------------------------------------------

  async #read(
    first: Uint8Array | undefined,
    pending: Promise<Uint8Array | null> | undefined,
  ): Promise<void> {
    let buffer = new Uint8Array(smallestRead);
    let smallReads = 0;
    /** Bytes read since the close frame was sent (see `readAfterCloseLimit`). */
    let readAfterClose = 0;
    try {
      if (first !== undefined && first.length > 0) this.#receiver.receive(first);
      const handed = pending === undefined ? undefined : await pending;
      // A FIN behind bad input sent with the handshake waits for the close (below), as after it.
      if (handed === null && (!this.#receiver.done || this.#peerClosed)) return this.#end();
      if (handed && !this.#receiver.done && !this.#ended) {
        this.#receiver.receive(handed);
      }
      while (!this.#ended) {
        if (this.#closeSent && readAfterClose > readAfterCloseLimit) {
          // A peer that keeps sending instead of answering: the close deadline ends it.
          await new Promise<void>((resolve) => this.#resumeReading = resolve);
          continue;
        }
        if (this.#receiver.done) {
          if (this.#peerClosed) return;
          // A bad frame: nothing is read until the close frame is out.
          if (!this.#closeSent || this.#writing) {
            await new Promise<void>((resolve) => this.#resumeReading = resolve);
          }
          // Then only the end of the stream is waited for: the rest is dropped unread.
          const n = await this.#conn.read(buffer);
          if (n === null) break;
          readAfterClose += n;
          continue;
        }
        if (this.#closeSent && this.#writing) {
          // The server's close frame waits behind unwritten bytes: nothing is read until it is
          // out (then the peer's answer is), so a peer that does not read cannot make the server
          // parse what it goes on sending.
          await new Promise<void>((resolve) => this.#resumeReading = resolve);
          continue;
        }
        const n = await this.#conn.read(buffer);
        if (n === null && !this.#receiver.done) break;
        if (n === null) continue; // stopped meanwhile: the end waits for the close frame (above)
        if (this.#closeSent) readAfterClose += n;
        this.#receiver.receive(buffer.subarray(0, n));
        // Grows at once when a read fills it; shrinks only after many small reads in a row.
        if (n === buffer.length && n < largestRead) {
          buffer = new Uint8Array(n * 2);
          smallReads = 0;
        } else if (n < buffer.length >>> 3 && buffer.length > smallestRead) {
          if (++smallReads === readsBeforeShrinking) {
            buffer = new Uint8Array(buffer.length >>> 1);
            smallReads = 0;
          }
        } else smallReads = 0;
      }
    } catch {
      // Reset by the peer, or closed by `terminate`.
    }
    this.#end();
  }

  // --- Ending -------------------------------------------------------------------------------

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#deadline);
    try {
      this.#conn.close();
    } catch {
      // Closed already.
    }
    if (this.#output !== undefined) release(this.#output);
    this.#output = undefined;
    this.#outputLength = 0;
    const resume = this.#resumeReading;
    this.#resumeReading = undefined;
    resume?.();
    if (this.#closeSent && !this.#peerClosed) this.#report(this.#closeCode, this.#closeReason);
    else this.#report(1006, "");
  }

  #report(code: number, reason: string): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#events?.closed(code, reason);
  }
}

function release(buffer: Uint8Array): void {
  if (buffer.length === outputChunkSize && pooledOutputs.length < maxPooledOutputs) {
    pooledOutputs.push(buffer);
  }
}
