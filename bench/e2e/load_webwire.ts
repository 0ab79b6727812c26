/**
 * The WebWire load generator: opens N raw WebSockets to any WebWire server, waits for each
 * accept-conf, then keeps M requests in flight per connection (or M batches of signals, each
 * acknowledged by a request) for a warm-up and a measured window, and prints one JSON line
 * (`LoadResult`). Requests are encoded once per slot; each new request patches its id in place.
 *
 * Replies are matched by the 8-byte id at offset 1, which a reply and the request it answers
 * share: a raw echo server that sends the request frame back counts as a reply too, so the same
 * generator measures the WebSocket floor.
 *
 * Usage (Bun): `bun bench/e2e/load_webwire.ts --url ws://127.0.0.1:8080/ --connections 16
 * --inflight 64 --payload 16 [--mode signal] [--warmup 0.5 --seconds 2] [--pid <server pid>]`
 *
 * @module
 */

import { encodeRequest, encodeSignal } from "../../protocol/mod.ts";
import {
  equalBytes,
  fail,
  type LoadConnection,
  type LoadOptions,
  runLoad,
  type Window,
} from "./load_common.ts";

const binaryReply = 191;
const binaryRequest = 127;
const acceptConf = 23;
const idOffset = 1;

/** The request name; the conformance service echoes it (raw echo servers ignore names). */
const requestName = "echo";
/** A signal name the conformance service accepts and ignores. */
const signalName = "bench";

/** One connection: its socket and, per in-flight slot, a reusable request and its send time. */
class Connection implements LoadConnection {
  readonly #socket: WebSocket;
  readonly #options: LoadOptions;
  readonly #window: Window;
  readonly #frames: Uint8Array<ArrayBuffer>[] = [];
  readonly #views: DataView[] = [];
  readonly #sentAt: Float64Array;
  readonly #expected: Float64Array;
  readonly #payload: Uint8Array;
  readonly #signal: Uint8Array<ArrayBuffer>;
  #outstanding = 0;
  #ready = false;
  #onIdle: (() => void) | undefined;

  constructor(url: string, options: LoadOptions, window: Window, payload: Uint8Array) {
    this.#options = options;
    this.#window = window;
    this.#payload = payload;
    this.#sentAt = new Float64Array(options.inflight);
    this.#expected = new Float64Array(options.inflight);
    const requestPayload = options.mode === "request" ? payload : new Uint8Array(0);
    for (let slot = 0; slot < options.inflight; slot++) {
      const frame = encodeRequest({
        id: new Uint8Array(8),
        name: requestName,
        payload: requestPayload,
      });
      this.#frames.push(frame as Uint8Array<ArrayBuffer>);
      this.#views.push(new DataView(frame.buffer, frame.byteOffset, frame.byteLength));
    }
    this.#signal = encodeSignal({ name: signalName, payload }) as Uint8Array<ArrayBuffer>;
    this.#socket = new WebSocket(url);
    this.#socket.binaryType = "arraybuffer";
  }

  /** Resolves once the server's accept-conf arrived and checked out. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.onerror = () => reject(new Error("WebSocket error while connecting"));
      this.#socket.onclose = (event) =>
        reject(new Error(`closed while connecting (${event.code} ${event.reason})`));
      this.#socket.onmessage = (event) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        if (bytes[0] !== acceptConf || bytes[1] !== 2) {
          return reject(new Error(`expected accept-conf v2 first, got type ${bytes[0]}`));
        }
        this.#ready = true;
        this.#socket.onmessage = (e) => this.#receive(new Uint8Array(e.data as ArrayBuffer));
        this.#socket.onclose = (e) => {
          if (this.#window.phase !== "drain" || this.#outstanding > 0) {
            fail(`server closed a connection (${e.code} ${e.reason})`);
          }
        };
        this.#socket.onerror = () => {};
        resolve();
      };
    });
  }

  /** Fills every slot. */
  start(): void {
    if (!this.#ready) throw new Error("start before open");
    for (let slot = 0; slot < this.#options.inflight; slot++) this.#send(slot, slot + 1);
  }

  /** Resolves when no request is outstanding (called after the window closed). */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#onIdle = resolve));
  }

  close(): void {
    this.#socket.onclose = null;
    this.#socket.close(1000, "done");
  }

  #send(slot: number, id: number): void {
    const view = this.#views[slot];
    view.setUint32(idOffset, id % 0x100000000, true);
    view.setUint32(idOffset + 4, Math.floor(id / 0x100000000), true);
    this.#expected[slot] = id;
    this.#outstanding++;
    if (this.#options.mode === "signal") {
      for (let i = 0; i < this.#options.batch; i++) this.#socket.send(this.#signal);
    }
    this.#sentAt[slot] = performance.now();
    this.#socket.send(this.#frames[slot]);
  }

  #receive(bytes: Uint8Array): void {
    const now = performance.now();
    const type = bytes[0];
    if (type !== binaryReply && type !== binaryRequest) {
      return fail(`unexpected message type ${type} (${bytes.length} bytes)`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const id = view.getUint32(idOffset, true) + view.getUint32(idOffset + 4, true) * 0x100000000;
    const inflight = this.#options.inflight;
    const slot = (id - 1) % inflight;
    if (!(id >= 1) || this.#expected[slot] !== id) return fail(`reply with unexpected id ${id}`);
    this.#expected[slot] = 0;
    this.#outstanding--;
    const window = this.#window;
    if (window.phase === "warmup") this.#verify(type, bytes, slot);
    else if (window.phase === "measure") {
      window.measured(now - this.#sentAt[slot]);
    }
    if (window.phase !== "drain") this.#send(slot, id + inflight);
    else if (this.#outstanding === 0) this.#onIdle?.();
  }

  /** During warm-up every reply is compared in full with what it answers. */
  #verify(type: number, bytes: Uint8Array, slot: number): void {
    const frame = this.#frames[slot];
    if (type === binaryRequest) {
      if (!equalBytes(bytes, frame)) fail("an echoed request differs from the request sent");
    } else {
      const expected = this.#options.mode === "request" ? this.#payload : new Uint8Array(0);
      if (!equalBytes(bytes.subarray(9), expected)) {
        fail(`a reply's payload differs from the request's (${bytes.length - 9} bytes)`);
      }
    }
    this.#window.verified++;
  }
}

runLoad(
  (options, window, payload) => new Connection(options.url, options, window, payload),
  { one: "reply", many: "replies" },
);
