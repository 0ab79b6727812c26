/**
 * The broadcast load generator's connections: a raw WebSocket speaking WebWire, or a
 * socket.io-client socket, each handing what it receives to a {@link BroadcastArrivals}.
 *
 * @module
 */

import { io, type Socket } from "socket.io-client";
import { encodeRequest } from "../../protocol/mod.ts";
import { fail } from "../e2e/load_common.ts";
import type { BroadcastArrivals } from "./broadcast_arrivals.ts";
import { signalName, triggerName } from "./signal_layout.ts";

/**
 * One connection of the load generator, whichever client library it uses.
 *
 * @example
 * ```ts
 * import type { Receiver } from "./receivers.ts";
 * import { openAll } from "./receivers.ts";
 * const opened: number[] = [];
 * const receivers: Receiver[] = [1, 2, 3].map((n) => ({
 *   open: () => Promise.resolve(void opened.push(n)),
 *   trigger: () => {},
 *   close: () => {},
 * }));
 * await openAll(receivers, 2);
 * console.assert(opened.join() === "1,2,3");
 * ```
 */
export interface Receiver {
  /** Connects; resolves once it can receive broadcasts. */
  open(): Promise<void>;
  /** Asks the server for broadcast `sequence` (only connection 0 does). */
  trigger(sequence: number): void;
  /** Disconnects, without counting it as a failure. */
  close(): void;
}

const binarySignal = 63;
const acceptConf = 23;
const replyTypes = new Set([191, 192, 193]);

/**
 * A raw WebSocket speaking just enough WebWire: it checks the accept-conf, sends the trigger
 * request, and hands each signal (and the trigger's reply, on connection 0) to the recorder
 * without decoding more than the type byte and the name.
 *
 * @example
 * ```ts
 * import { openAll, WebWireReceiver } from "./receivers.ts";
 * import { BroadcastArrivals } from "./broadcast_arrivals.ts";
 * import { signalName, stampedPayload } from "./signal_layout.ts";
 * import { type StartedServer, startServer } from "../../testing/serve.ts";
 * const running: StartedServer = await startServer({
 *   onRequest: ({ payload }) => { // as webwire_broadcast_server.ts does
 *     const sequence = new DataView(payload.bytes.slice().buffer).getUint32(0, true);
 *     return `${running.server.broadcast(signalName, stampedPayload(sequence))} 0.1`;
 *   },
 * });
 * const broadcast = new BroadcastArrivals(3);
 * const receivers = [0, 1, 2].map((i) => new WebWireReceiver(running.url, i, broadcast));
 * await openAll(receivers, 2);
 * const done = broadcast.begin(0);
 * receivers[0].trigger(0);
 * await done;
 * console.assert(broadcast.received === 3);
 * for (const receiver of receivers) receiver.close();
 * await running.close();
 * ```
 */
export class WebWireReceiver implements Receiver {
  #socket: WebSocket | undefined;
  readonly #name = new TextEncoder().encode(signalName);
  #nextId = 1;

  constructor(
    readonly url: string,
    readonly index: number,
    readonly broadcast: BroadcastArrivals,
  ) {}

  open(): Promise<void> {
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      socket.onerror = () => reject(new Error("WebSocket error while connecting"));
      socket.onclose = (e) => reject(new Error(`closed while connecting (${e.code} ${e.reason})`));
      socket.onmessage = (event) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        if (bytes[0] !== acceptConf || bytes[1] !== 2) {
          return reject(new Error(`expected accept-conf v2 first, got type ${bytes[0]}`));
        }
        socket.onmessage = (e) => this.#receive(new Uint8Array(e.data as ArrayBuffer));
        socket.onclose = (e) => fail(`server closed connection ${this.index} (${e.code})`);
        socket.onerror = () => {};
        resolve();
      };
    });
  }

  trigger(sequence: number): void {
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint32(0, sequence, true);
    const id = new Uint8Array(8);
    new DataView(id.buffer).setUint32(0, this.#nextId++, true);
    this.#socket!.send(
      encodeRequest({ id, name: triggerName, payload }) as Uint8Array<ArrayBuffer>,
    );
  }

  close(): void {
    if (this.#socket === undefined) return;
    this.#socket.onclose = null;
    this.#socket.close(1000, "done");
  }

  #receive(bytes: Uint8Array): void {
    if (bytes[0] === binarySignal) {
      const n = bytes[1];
      const name = bytes.subarray(2, 2 + n);
      if (n !== this.#name.length || name.some((b, i) => b !== this.#name[i])) {
        return fail(`a signal with an unexpected name on connection ${this.index}`);
      }
      return this.broadcast.arrived(this.index, bytes.subarray(2 + n));
    }
    if (replyTypes.has(bytes[0]) && this.index === 0) {
      const [sent, callMs] = new TextDecoder().decode(bytes.subarray(9)).split(" ").map(Number);
      return this.broadcast.answered(sent, callMs);
    }
    fail(`unexpected message type ${bytes[0]} on connection ${this.index}`);
  }
}

/**
 * A socket.io-client socket (WebSocket transport, no reconnection): the trigger is an event
 * with an acknowledgement, the broadcast a binary event.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import type { AddressInfo } from "node:net";
 * import { Server } from "socket.io";
 * import { SocketIoReceiver } from "./receivers.ts";
 * import { BroadcastArrivals } from "./broadcast_arrivals.ts";
 * import { signalName, stampedPayload, triggerName } from "./signal_layout.ts";
 * const http = createServer();
 * const io = new Server(http, { transports: ["websocket"] }); // socketio_broadcast_server.ts
 * io.on("connection", (socket) =>
 *   socket.on(triggerName, (sequence: number, ack: (sent: number, ms: number) => void) => {
 *     io.emit(signalName, stampedPayload(sequence));
 *     ack(io.of("/").sockets.size, 0.1);
 *   }));
 * await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
 * const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
 * const broadcast = new BroadcastArrivals(1);
 * const receiver = new SocketIoReceiver(url, 0, broadcast);
 * await receiver.open();
 * const done = broadcast.begin(0);
 * receiver.trigger(0);
 * await done;
 * console.assert(broadcast.received === 1);
 * receiver.close();
 * await new Promise((resolve) => io.close(resolve));
 * ```
 */
export class SocketIoReceiver implements Receiver {
  readonly #socket: Socket;

  constructor(
    readonly url: string,
    readonly index: number,
    readonly broadcast: BroadcastArrivals,
  ) {
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
        this.#socket.on(signalName, (data: unknown) => {
          const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
          if (!(bytes instanceof Uint8Array)) return fail("a broadcast that is not binary");
          this.broadcast.arrived(this.index, bytes);
        });
        this.#socket.on("disconnect", (reason) => fail(`socket ${this.index} closed (${reason})`));
        resolve();
      });
      this.#socket.once("connect_error", (error) => reject(error));
      this.#socket.connect();
    });
  }

  trigger(sequence: number): void {
    this.#socket.emit(
      triggerName,
      sequence,
      (sent: number, callMs: number) => this.broadcast.answered(sent, callMs),
    );
  }

  close(): void {
    this.#socket.off("disconnect");
    this.#socket.close();
  }
}

/**
 * Opens every receiver, at most `atOnce` connection attempts in flight at a time (a storm of
 * thousands at once would measure the accept queue, not the broadcast).
 *
 * @example
 * ```ts
 * import { openAll, type Receiver } from "./receivers.ts";
 * let inFlight = 0;
 * let most = 0;
 * const receiver = (): Receiver => ({
 *   open: async () => {
 *     most = Math.max(most, ++inFlight);
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *     inFlight--;
 *   },
 *   trigger: () => {},
 *   close: () => {},
 * });
 * await openAll(Array.from({ length: 10 }, receiver), 3);
 * console.assert(most === 3);
 * ```
 */
export async function openAll(receivers: Receiver[], atOnce: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < receivers.length) await receivers[next++].open();
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, receivers.length) }, worker));
}
