/**
 * A WebSocket on a Node socket (the `net.Socket` or `tls.TLSSocket` that `node:http` hands to
 * its `upgrade` listener) with the framing done here (`websocket/`), as the server core sees it
 * (`TransportSocket`). The same design as the Deno TCP adapter's socket, on Node's streams:
 * - **Reads**: every `data` chunk goes to a {@link FrameReceiver}, so all the frames of one read
 *   are handled together; nothing more is read after a bad frame until the close frame is out.
 * - **Writes**: every frame is copied into the connection's output buffer when sent (so the core
 *   may reuse its own buffer: `copiesOnSend`); the buffer is written in one `write` per tick (a
 *   tick that sends over 16 KiB fills several, written together with the socket corked). Output
 *   buffers come from a pool shared by all connections and go back to it once Node has written
 *   them: an idle connection holds none.
 * - **Closing**: the close frame, then a FIN (`end`) once it is written; the connection is gone
 *   when the peer answers with its close frame and ends, or at the deadline. `terminate`
 *   resets the connection.
 * - **Memory**: one listener of each kind shared by all connections (no closures per socket).
 *
 * @example
 * ```ts
 * import { createConnection, createServer, type Socket } from "node:net";
 * import { NodeFramedSocket } from "./node_framed_socket.ts";
 * // Both ends of a TCP connection on 127.0.0.1; the server side sends one binary frame.
 * const accepted = Promise.withResolvers<Socket>();
 * const listener = createServer(accepted.resolve).listen(0, "127.0.0.1");
 * await new Promise((resolve) => listener.once("listening", resolve));
 * const port = (listener.address() as { port: number }).port;
 * const client = createConnection(port, "127.0.0.1");
 * const socket = new NodeFramedSocket(await accepted.promise, { maxMessageSize: 1024 });
 * socket.start({ message: () => {}, closed: () => {}, drained: () => {} });
 * socket.send(new Uint8Array([1, 2, 3]));
 * const received = await new Promise<Uint8Array>((resolve) => client.once("data", resolve));
 * console.assert(received.join() === "130,3,1,2,3");
 * socket.terminate();
 * client.destroy();
 * listener.close();
 * ```
 * @module
 */

import type { Buffer } from "node:buffer";
import process from "node:process";
import type { Duplex } from "node:stream";
import type { TransportEvents, TransportSocket } from "../server/transport.ts";
import {
  closeFrameBody,
  frameHeaderLength,
  Opcode,
  writeFrameHeader,
} from "./websocket/frame_header.ts";
import { FrameReceiver, type FrameSink } from "./websocket/frame_receiver.ts";
import { outputBuffer, releaseOutput } from "./node_output_pool.ts";
import {
  type FramedSocketOptions,
  pongBacklogLimit,
  readAfterCloseLimit,
} from "./websocket/framed_socket_options.ts";

/** Where a Node socket keeps its WebWire connection, for the shared listeners. */
const servedBy = Symbol("webwire connection");

/** A Node socket served by a {@link NodeFramedSocket}. */
type ServedSocket = Duplex & {
  [servedBy]?: NodeFramedSocket;
  setNoDelay?: (noDelay: boolean) => unknown;
  setTimeout?: (timeout: number) => unknown;
  resetAndDestroy?: () => unknown;
};

/** Sockets with frames sent in this tick, written together at its end. */
let toFlush: NodeFramedSocket[] = [];

function flushAll(): void {
  const sockets = toFlush;
  toFlush = [];
  for (const socket of sockets) socket.flush();
}

/**
 * One WebSocket connection over a Node socket, as described in the module documentation.
 * Call {@link NodeFramedSocket.start} once the core has accepted it.
 *
 * @example
 * ```ts
 * import { createConnection, createServer, type Socket } from "node:net";
 * import { NodeFramedSocket } from "./node_framed_socket.ts";
 * const accepted = Promise.withResolvers<Socket>();
 * const listener = createServer({ allowHalfOpen: true }, accepted.resolve).listen(0, "127.0.0.1");
 * await new Promise((resolve) => listener.once("listening", resolve));
 * const port = (listener.address() as { port: number }).port;
 * const client = createConnection(port, "127.0.0.1");
 * const socket = new NodeFramedSocket(await accepted.promise, { maxMessageSize: 1024 });
 * const closed = Promise.withResolvers<number>();
 * socket.start({
 *   message: () => {},
 *   closed: (code) => closed.resolve(code ?? 1005),
 *   drained: () => {},
 * });
 * // The client's close frame (masked, code 1000) is answered and reported.
 * client.write(new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]));
 * console.assert(await closed.promise === 1000);
 * client.destroy();
 * listener.close();
 * ```
 */
export class NodeFramedSocket implements TransportSocket, FrameSink {
  readonly #socket: ServedSocket;
  readonly #receiver: FrameReceiver;
  readonly #closeTimeout: number;
  #events: TransportEvents | undefined;
  #output: Buffer | undefined;
  #outputLength = 0;
  #flushQueued = false;
  /** The socket is corked while a tick's full output buffers wait for its last one. */
  #corked = false;
  #closeSent = false;
  #deferredPong: Uint8Array | undefined; // the latest ping's, while too much waits (`ping`)
  /** The close frame is in the output buffer, not yet handed to the socket. */
  #closeQueued = false;
  #closeCode = 1005;
  #closeReason = "";
  #peerClosed = false;
  /** Reading is paused after bad input, until the close frame is handed to the socket. */
  #pausedByFailure = false;
  /** Bytes read since the close frame was sent (see `readAfterCloseLimit`). */
  #readAfterClose = 0;
  #ended = false;
  #reported = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  /** Wraps `socket`, a TCP (or TLS) socket whose WebSocket handshake is done. */
  constructor(socket: Duplex, options: FramedSocketOptions) {
    this.#socket = socket;
    this.#receiver = new FrameReceiver(this, options.maxMessageSize);
    this.#closeTimeout = options.closeTimeout ?? 5000;
  }

  /** Starts reading frames for `events`; `first`: bytes that came with the handshake (`head`). */
  start(events: TransportEvents, first?: Uint8Array): void {
    this.#events = events;
    const socket = this.#socket;
    socket[servedBy] = this;
    socket.setTimeout?.(0);
    socket.setNoDelay?.(true);
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onClose);
    socket.on("drain", onDrain);
    socket.on("error", onError);
    if (socket.destroyed) return this.ended();
    if (first !== undefined && first.length > 0) this.receive(first);
  }

  /** Sends bytes as they are, ahead of any frame (the handshake's response). */
  sendRaw(bytes: Uint8Array): void {
    if (this.#ended) return;
    this.#reserve(bytes.length).set(bytes, this.#outputLength);
    this.#outputLength += bytes.length;
    this.#scheduleFlush();
  }

  // --- TransportSocket ----------------------------------------------------------------------

  /** Sends one binary message, unless a close frame has been sent. */
  send(bytes: Uint8Array): void {
    if (!this.#closeSent) this.#sendFrame(Opcode.Binary, bytes);
  }

  /** Bytes sent and not yet written to the network (ours, then the socket's queue). */
  get bufferedAmount(): number {
    return this.#outputLength + this.#socket.writableLength;
  }

  /** Always `true`: `send` copies the bytes into the output buffer. */
  get copiesOnSend(): boolean {
    return true;
  }

  /**
   * Sends the close frame after the frames already sent; once it is written, the socket's write
   * side is shut and the peer's close frame (or end of stream) ends the connection.
   */
  close(code: number, reason: string): void {
    if (this.#closeSent || this.#ended) return;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#sendClose(closeFrameBody(code, reason));
  }

  /**
   * Resets the connection at once; writes not yet done are dropped. A reset, not a FIN: a FIN
   * would wait behind the bytes a stalled peer never reads, and the kernel would keep the
   * connection (and those bytes) for minutes.
   */
  terminate(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    try {
      // Node's TCP sockets only (a TLS socket throws): elsewhere a plain destroy.
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
    } catch {
      // Not a TCP handle.
    }
    socket.destroy();
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
   * server's close frame went out already); the connection ends when the peer ends its side, or
   * after `closeTimeout`.
   */
  peerClose(code: number, reason: string): void {
    this.#peerClosed = true;
    this.#report(code, reason);
    if (!this.#closeSent) this.#sendClose(closeFrameBody(code, ""));
    this.#deadline ??= setTimeout(() => this.terminate(), this.#closeTimeout);
  }

  /** A bad frame: the core decides the close (replies first); nothing more is read till then. */
  fail(code: number, reason: string): void {
    this.stopReading();
    if (this.#events?.failed !== undefined) this.#events.failed(code, reason);
    else this.close(code, reason);
  }

  /** The core will close for a bad message: as after a bad frame, nothing more is read. */
  stopReading(): void {
    if (this.#closeSent && !this.#closeQueued) return;
    this.#receiver.stop();
    this.#pausedByFailure = true;
    this.#socket.pause();
  }

  // --- Called by the shared listeners and the end of a tick ---------------------------------

  /** Bytes read from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.#closeSent) {
      this.#readAfterClose += chunk.length;
      // A peer that keeps sending instead of answering: the close deadline ends it.
      if (this.#readAfterClose > readAfterCloseLimit) return void this.#socket.pause();
    }
    this.#receiver.receive(chunk);
  }

  /** The peer ended its side: a connection it left without a close handshake is dropped. */
  peerEnded(): void {
    if (this.#pausedByFailure) return; // a bad frame: the core's close, replies first, ends it
    if (!this.#closeSent) return void this.#socket.destroy();
    // Our close frame (or answer to the peer's) may be on its way, under a deadline: FIN after it.
    if (!this.#closeQueued) this.#socket.end();
  }

  /** The socket is closed: the connection's end is reported, once. */
  ended(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#deadline);
    if (this.#output !== undefined) releaseOutput(this.#output);
    this.#output = undefined;
    this.#outputLength = 0;
    if (this.#closeSent && !this.#peerClosed) this.#report(this.#closeCode, this.#closeReason);
    else this.#report(1006, "");
  }

  /** The socket took everything queued: the core may send again. */
  drained(): void {
    if (this.#ended) return;
    this.#answerDeferredPing();
    this.#events?.drained();
  }

  /** Hands the tick's frames to the socket in one write (called by `flushAll`). */
  flush(): void {
    this.#flushQueued = false;
    if (this.#ended) return;
    this.#writeOutput();
    if (this.#corked) {
      this.#corked = false;
      this.#socket.uncork();
    }
    if (!this.#closeQueued) return;
    this.#closeQueued = false;
    // A FIN once the close frame is written, not a reset: a reset could make the peer lose it.
    this.#socket.end();
    if (this.#pausedByFailure) {
      // What the peer still sends is read and dropped until it ends, so that closing never
      // finds unread bytes (which would reset the connection under the close frame).
      this.#pausedByFailure = false;
      this.#socket.resume();
    }
  }

  // --- Writing ------------------------------------------------------------------------------

  #sendClose(body: Uint8Array): void {
    this.#closeSent = true;
    this.#closeQueued = true;
    this.#sendFrame(Opcode.Close, body);
  }

  #sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.#ended) return;
    const length = payload.length;
    const output = this.#reserve(frameHeaderLength(length) + length);
    const payloadAt = writeFrameHeader(output, this.#outputLength, opcode, length);
    output.set(payload, payloadAt);
    this.#outputLength = payloadAt + length;
    this.#scheduleFlush();
  }

  /**
   * An output buffer with room for `size` more bytes after `#outputLength`: the current one, or
   * (after writing a full one) a pooled one, or one of its own for a frame over the pooled size.
   */
  #reserve(size: number): Buffer {
    const output = this.#output;
    if (output !== undefined) {
      if (output.length - this.#outputLength >= size) return output;
      // Written with the rest of the tick's output when `flush` uncorks.
      if (!this.#corked && this.#flushQueued) {
        this.#corked = true;
        this.#socket.cork();
      }
      this.#writeOutput();
    }
    return this.#output = outputBuffer(size);
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    if (toFlush.push(this) === 1) process.nextTick(flushAll);
  }

  /** Hands the output buffer to the socket; it goes back to the pool once written. */
  #writeOutput(): void {
    const buffer = this.#output;
    const length = this.#outputLength;
    this.#output = undefined;
    this.#outputLength = 0;
    if (buffer === undefined) return;
    if (length === 0) return releaseOutput(buffer);
    // Not given back after a failed write (the runtime may still hold it). A deferred pong is
    // tried here too: `drain` never comes while the queue is under the socket's `highWaterMark`.
    this.#socket.write(buffer.subarray(0, length), (error) => {
      if (error !== undefined && error !== null) return;
      releaseOutput(buffer);
      this.#answerDeferredPing();
    });
  }

  #report(code: number, reason: string): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#events?.closed(code, reason);
  }
}

// One listener of each kind for every socket (Node calls them with the socket as `this`), not
// closures per connection: memory per idle connection is what a server with many clients pays.

function onData(this: ServedSocket, chunk: Uint8Array): void {
  this[servedBy]?.receive(chunk);
}

function onEnd(this: ServedSocket): void {
  this[servedBy]?.peerEnded();
}

function onClose(this: ServedSocket): void {
  this[servedBy]?.ended();
}

function onDrain(this: ServedSocket): void {
  this[servedBy]?.drained();
}

/** An error is always followed by `close`, which ends the connection. */
function onError(): void {}
