/**
 * A client `WebSocket` for Deno over `Deno.connect` with Nagle's algorithm switched off
 * (`setNoDelay`), for the client's `WebSocket` option.
 *
 * Deno's own client `WebSocket` (Deno 2.9) leaves Nagle's algorithm on. A message of about 1.4 to
 * 60 KiB, or a second message sent before the server has answered the first (a signal, then a
 * request), then waits for the server's delayed acknowledgement: about 40 ms on Linux, each
 * time (`bench/README.md` has the figures). This socket writes each frame whole in one write
 * with no delay, and is otherwise a standard `WebSocket` as far as the client uses one
 * (`binaryType` `"arraybuffer"` or `"blob"`, `protocol`, `bufferedAmount`, the four events as
 * handlers and through `addEventListener`). `ws:` and `wss:` (TLS by `Deno.startTls`, with the
 * system's or the given CA certificates); no extensions, no proxies.
 *
 * @example
 * ```ts
 * import { Client } from "@webwire/webwire/client";
 * import { DenoWebSocket } from "@webwire/webwire/adapters/deno-websocket";
 * import { Server } from "@webwire/webwire/server";
 * import { serveDeno } from "@webwire/webwire/adapters/deno";
 *
 * const running = serveDeno(new Server({ onRequest: (request) => request.payload }));
 * const client = new Client(running.url, { WebSocket: DenoWebSocket });
 * const reply = await client.request("echo", new Uint8Array(4096)); // no 40 ms wait
 * console.assert(reply.bytes.length === 4096);
 * await client.close();
 * await running.close();
 * ```
 * @module
 */

import type { WebSocketConstructor } from "../client/websocket_like.ts";
import { maskedFrame } from "./websocket/client_frame.ts";
import { checkUpgradeAnswer, newSocketKey, upgradeRequest } from "./websocket/client_handshake.ts";
import { closeFrameBody } from "./websocket/frame_header.ts";
import { FrameReceiver } from "./websocket/frame_receiver.ts";
import { readHead, writeAll } from "./deno_conn_io.ts";
import { concatBytes } from "./concat_bytes.ts";
import type { DenoWebSocketOptions } from "./deno_websocket_options.ts";

export type { DenoWebSocketOptions } from "./deno_websocket_options.ts";

const connecting = 0;
const open = 1;
const closing = 2;
const closed = 3;

const textEncoder = new TextEncoder();

/**
 * A client WebSocket over a TCP connection with no Nagle delay; see the module documentation.
 *
 * @example
 * ```ts
 * import { DenoWebSocket } from "@webwire/webwire/adapters/deno-websocket";
 * const http = Deno.serve({ port: 0, onListen: () => {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const socket = new DenoWebSocket(`ws://127.0.0.1:${http.addr.port}/`);
 * socket.onopen = () => socket.send("hello");
 * const echoed = await new Promise((resolve) => socket.onmessage = (e) => resolve(e.data));
 * console.assert(echoed === "hello");
 * socket.close(1000, "done");
 * await new Promise((resolve) => socket.onclose = resolve);
 * await http.shutdown();
 * ```
 */
export class DenoWebSocket extends EventTarget {
  /** `readyState` while connecting. */
  static readonly CONNECTING: 0 = 0;
  /** `readyState` once open. */
  static readonly OPEN: 1 = 1;
  /** `readyState` once a close frame was sent or received. */
  static readonly CLOSING: 2 = 2;
  /** `readyState` once the connection has ended. */
  static readonly CLOSED: 3 = 3;

  /** The URL connected to, `ws:` or `wss:`. */
  readonly url: string;
  /** `"arraybuffer"` (the default here) or `"blob"`: the type of binary messages' `data`. */
  binaryType: BinaryType = "arraybuffer";
  /** The subprotocol the server chose, once open. */
  protocol = "";
  /** Always empty: no extension is offered. */
  readonly extensions = "";
  /** Called once the connection is open. */
  onopen: ((event: Event) => void) | null = null;
  /** Called for each message; `event.data` is a string, an `ArrayBuffer` or a `Blob`. */
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** Called once the connection has ended; `event.code`, `reason` and `wasClean` say how. */
  onclose: ((event: CloseEvent) => void) | null = null;
  /** Called when the connection fails (before its close event). */
  onerror: ((event: Event) => void) | null = null;

  #readyState = connecting;
  readonly #options: DenoWebSocketOptions;
  #tcp: Deno.TcpConn | undefined;
  /** Ends the TCP dial when the socket is closed or fails first. */
  readonly #dial = new AbortController();
  #conn: Deno.Conn | undefined;
  readonly #receiver: FrameReceiver;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  #writing = false;
  #endAfterWrites = false;
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #failure: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Starts connecting to `url` (`ws:`, `wss:`, or `http:`/`https:` for them), offering
   * `protocols`.
   *
   * @throws {DOMException} `SyntaxError` for another scheme, a fragment or a URL that does not
   * parse.
   */
  constructor(
    url: string | URL,
    protocols: string | string[] = [],
    options: DenoWebSocketOptions = {},
  ) {
    super();
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DOMException(`not a URL: ${url}`, "SyntaxError");
    }
    if (parsed.protocol === "http:") parsed.protocol = "ws:";
    else if (parsed.protocol === "https:") parsed.protocol = "wss:";
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw new DOMException(`not a ws: or wss: URL: ${parsed.href}`, "SyntaxError");
    }
    if (parsed.hash !== "") {
      throw new DOMException("a WebSocket URL has no fragment", "SyntaxError");
    }
    this.url = parsed.href;
    this.#options = options;
    const sink = {
      message: (data: Uint8Array | string) => this.#message(data),
      ping: (payload: Uint8Array) => {
        if (!this.#closeSent) this.#write(maskedFrame(0xa, payload));
      },
      peerClose: (code: number, reason: string) => this.#peerClosed(code, reason),
      fail: (code: number, reason: string) => this.#fail(reason, code),
    };
    this.#receiver = new FrameReceiver(sink, options.maxMessageSize ?? 64 * 1024 * 1024, true);
    void this.#connect(parsed, typeof protocols === "string" ? [protocols] : [...protocols]);
  }

  /**
   * A `WebSocket` constructor, for the client's `WebSocket` option, whose sockets use `options`.
   *
   * @example
   * ```ts
   * import { Client } from "@webwire/webwire/client";
   * import { DenoWebSocket } from "@webwire/webwire/adapters/deno-websocket";
   * const caCerts = [await Deno.readTextFile("testing/tls/ca_cert.pem")];
   * const client = new Client("wss://localhost:8443/", {
   *   WebSocket: DenoWebSocket.withOptions({ caCerts }),
   * });
   * await client.close();
   * ```
   */
  static withOptions(options: DenoWebSocketOptions): WebSocketConstructor {
    return class extends DenoWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, options);
      }
    };
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#readyState;
  }

  /** Bytes of frames queued and not yet written. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /**
   * Sends one message: a string as text, bytes as binary. Dropped once closing.
   *
   * @throws {DOMException} `InvalidStateError` while connecting.
   */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#readyState === connecting) {
      throw new DOMException("the WebSocket is still connecting", "InvalidStateError");
    }
    if (this.#readyState !== open) return;
    if (typeof data === "string") return this.#write(maskedFrame(0x1, textEncoder.encode(data)));
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    this.#write(maskedFrame(0x2, bytes));
  }

  /**
   * Starts the closing handshake (while connecting: gives up, an error and close event 1006).
   *
   * @throws {DOMException} `InvalidAccessError` for a code other than 1000 or 3000 to 4999,
   * `SyntaxError` for a reason over 123 bytes of UTF-8.
   */
  close(code?: number, reason = ""): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`close code ${code} may not be sent`, "InvalidAccessError");
    }
    if (textEncoder.encode(reason).length > 123) {
      throw new DOMException("a close reason over 123 bytes", "SyntaxError");
    }
    if (this.#readyState === closing || this.#readyState === closed) return;
    if (this.#readyState === connecting) {
      this.#readyState = closing;
      this.#failure = "closed while connecting";
      return this.#closeConnection();
    }
    this.#readyState = closing;
    this.#sendClose(code ?? (reason === "" ? 1005 : 1000), reason); // a reason needs a code
  }

  async #connect(url: URL, protocols: string[]): Promise<void> {
    const key = newSocketKey();
    let rest: Uint8Array;
    const deadline = setTimeout(
      () => this.#fail("no answer to the upgrade request in time"),
      this.#options.handshakeTimeout ?? 30_000,
    );
    try {
      const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const port = url.port !== "" ? Number(url.port) : url.protocol === "wss:" ? 443 : 80;
      const tcp = this.#tcp = await Deno.connect({ hostname, port, signal: this.#dial.signal });
      tcp.setNoDelay(true);
      this.#conn = url.protocol === "wss:"
        ? await Deno.startTls(tcp, { hostname, caCerts: this.#options.caCerts })
        : tcp;
      if (this.#readyState !== connecting) throw new Error(this.#failure); // closed meanwhile
      await writeAll(this.#conn, upgradeRequest(url, key, protocols));
      const answer = await readHead(this.#conn);
      const problem = checkUpgradeAnswer(answer.head, key) ??
        this.#takeProtocol(answer.head, protocols);
      if (problem !== undefined) throw new Error(problem);
      rest = answer.rest;
    } catch (error) {
      clearTimeout(deadline);
      this.#failure ??= error instanceof Error ? error.message : String(error);
      return this.#ended();
    }
    clearTimeout(deadline);
    if (this.#readyState !== connecting) return this.#ended();
    this.#readyState = open;
    this.#emit("onopen", new Event("open"));
    if (rest.length > 0) this.#receiver.receive(rest);
    await this.#read(this.#conn!);
  }

  /** Checks the subprotocol the server chose against those offered; keeps it. */
  #takeProtocol(head: string, offered: string[]): string | undefined {
    const chosen = /\r\nsec-websocket-protocol:[ \t]*([^\r]*?)[ \t]*(?:\r\n|$)/i.exec(head)?.[1];
    if (chosen === undefined) return undefined;
    if (!offered.includes(chosen)) return `a subprotocol that was not offered: ${chosen}`;
    this.protocol = chosen;
    return undefined;
  }

  async #read(conn: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const count = await conn.read(buffer);
        if (count === null) break;
        this.#receiver.receive(buffer.subarray(0, count));
      }
    } catch {
      // Reset by the peer, or closed here: the connection has ended either way.
    }
    this.#ended();
  }

  #message(data: Uint8Array | string): void {
    if (this.#readyState !== open) return;
    const value = typeof data === "string"
      ? data
      : this.binaryType === "blob"
      ? new Blob([data as Uint8Array<ArrayBuffer>])
      : data.buffer;
    this.#emit("onmessage", new MessageEvent("message", { data: value }));
  }

  #peerClosed(code: number, reason: string): void {
    this.#closeReceived = { code, reason };
    this.#readyState = closing;
    // Answered with its code; the server then ends the connection (or the timer does).
    if (!this.#closeSent) this.#sendClose(code, "");
    else this.#armTimer();
  }

  #sendClose(code: number, reason: string): void {
    this.#closeSent = true;
    this.#write(maskedFrame(0x8, closeFrameBody(code, reason)));
    this.#armTimer();
  }

  /** Fails the connection: a close frame with `code` if it can still go, then the end. */
  #fail(reason: string, code?: number): void {
    if (this.#failure !== undefined || this.#readyState === closed) return;
    this.#failure = reason;
    if (this.#readyState === connecting) return this.#closeConnection();
    this.#readyState = closing;
    this.#receiver.stop();
    if (code !== undefined && !this.#closeSent) {
      this.#closeSent = true;
      this.#write(maskedFrame(0x8, closeFrameBody(code, reason)));
    }
    this.#endAfterWrites = true;
    if (this.#writing) this.#armTimer(); // bounds the wait for a write the server never reads
    else this.#closeConnection();
  }

  #armTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#closeConnection(), this.#options.closeTimeout ?? 5000);
  }

  #write(frame: Uint8Array): void {
    if (this.#endAfterWrites || this.#conn === undefined) return;
    this.#queue.push(frame);
    this.#buffered += frame.length;
    if (!this.#writing) void this.#flush(this.#conn);
  }

  /** Writes the queued frames, those queued meanwhile together in one write. */
  async #flush(conn: Deno.Conn): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const frames = this.#queue;
        this.#queue = [];
        const bytes = concatBytes(frames);
        await writeAll(conn, bytes);
        this.#buffered = Math.max(0, this.#buffered - bytes.length); // 0 once ended
      }
    } catch {
      this.#queue = [];
      this.#buffered = 0;
      this.#closeConnection(); // the read then ends as well
    }
    this.#writing = false;
    if (this.#endAfterWrites) this.#closeConnection();
  }

  #closeConnection(): void {
    this.#dial.abort();
    try {
      (this.#conn ?? this.#tcp)?.close();
    } catch { /* closed already */ }
  }

  /** The connection has ended (or never opened): the close event, once. */
  #ended(): void {
    if (this.#readyState === closed) return;
    clearTimeout(this.#timer);
    this.#closeConnection();
    this.#readyState = closed;
    this.#queue = [];
    this.#buffered = 0;
    const received = this.#closeReceived;
    const failed = this.#failure !== undefined;
    if (failed || received === undefined) {
      this.#emit(
        "onerror",
        new ErrorEvent("error", { message: this.#failure ?? "connection lost" }),
      );
    }
    this.#emit(
      "onclose",
      new CloseEvent("close", {
        code: failed || received === undefined ? 1006 : received.code,
        reason: failed || received === undefined ? "" : received.reason,
        wasClean: !failed && received !== undefined && this.#closeSent,
      }),
    );
  }

  #emit<E extends Event>(handler: "onopen" | "onmessage" | "onclose" | "onerror", event: E): void {
    const listener = this[handler] as ((event: E) => void) | null;
    if (listener !== null) {
      try {
        listener.call(this, event);
      } catch (error) {
        reportError(error);
      }
    }
    this.dispatchEvent(event);
  }
}
