/**
 * The socket.io load generator: the same N connections × M in flight as `load_webwire.ts`, with
 * socket.io-client (WebSocket transport, one manager per connection) and acknowledgements:
 * `emit("echo", payload, ack)`; in signal mode batches of `emit("signal", payload)` each
 * followed by `emit("barrier", ack)`. Payloads are binary (`Uint8Array`), as in the WebWire
 * runs. Prints one JSON line (`LoadResult`).
 *
 * Usage (Bun): `bun bench/e2e/load_socketio.ts --url ws://127.0.0.1:3000/ --connections 16
 * --inflight 64 --payload 16 [--mode signal] [--pid <server pid>]`
 *
 * @module
 */

import { io, type Socket } from "socket.io-client";
import {
  equalBytes,
  fail,
  type LoadConnection,
  type LoadOptions,
  runLoad,
  type Window,
} from "./load_common.ts";

class Connection implements LoadConnection {
  readonly #socket: Socket;
  readonly #options: LoadOptions;
  readonly #window: Window;
  readonly #payload: Uint8Array;
  #outstanding = 0;
  #onIdle: (() => void) | undefined;

  constructor(url: string, options: LoadOptions, window: Window, payload: Uint8Array) {
    this.#options = options;
    this.#window = window;
    this.#payload = payload;
    this.#socket = io(url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      autoConnect: false,
    });
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.once("connect", () => {
        this.#socket.on("disconnect", (reason) => {
          if (this.#window.phase !== "drain" || this.#outstanding > 0) {
            fail(`server closed a connection (${reason})`);
          }
        });
        resolve();
      });
      this.#socket.once("connect_error", (error) => reject(error));
      this.#socket.connect();
    });
  }

  start(): void {
    for (let slot = 0; slot < this.#options.inflight; slot++) this.#send();
  }

  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#onIdle = resolve));
  }

  close(): void {
    this.#socket.off("disconnect");
    this.#socket.close();
  }

  #send(): void {
    this.#outstanding++;
    const sentAt = performance.now();
    if (this.#options.mode === "signal") {
      for (let i = 0; i < this.#options.batch; i++) this.#socket.emit("signal", this.#payload);
      this.#socket.emit("barrier", () => this.#receive(sentAt, undefined));
    } else {
      this.#socket.emit("echo", this.#payload, (reply: unknown) => this.#receive(sentAt, reply));
    }
  }

  #receive(sentAt: number, reply: unknown): void {
    const now = performance.now();
    this.#outstanding--;
    const window = this.#window;
    if (window.phase === "warmup") {
      if (this.#options.mode === "request") {
        const bytes = reply instanceof ArrayBuffer ? new Uint8Array(reply) : reply;
        if (!(bytes instanceof Uint8Array) || !equalBytes(bytes, this.#payload)) {
          fail("an acknowledgement's data differs from what was sent");
        }
      }
      window.verified++;
    } else if (window.phase === "measure") {
      window.measured(now - sentAt);
    }
    if (window.phase !== "drain") this.#send();
    else if (this.#outstanding === 0) this.#onIdle?.();
  }
}

runLoad(
  (options, window, payload) => new Connection(options.url, options, window, payload),
  { one: "acknowledgement", many: "acknowledgements" },
);
