/**
 * A lean WebWire connection for the cluster benchmark's load generators (Bun): a plain
 * WebSocket that sends requests, restore-session and close-session with incrementing ids,
 * resolves each with the reply's type and payload, and hands every binary signal's name and
 * payload to a callback without decoding more than it needs.
 *
 * @module
 */

import { encodeCloseSession, encodeRestoreSession } from "../../protocol/encode_control_message.ts";
import { encodeRequest, encodeSignal } from "../../protocol/encode_payload_message.ts";

const acceptConf = 23;
const sessionCreated = 21;
const binarySignal = 63;
/** Success replies: binary, UTF-8, UTF-16. */
const replies = new Set([191, 192, 193]);
/** Error and special replies (0 to 5). */
const failedReply = 5;

/** A reply: its type byte and its payload (after the 8-byte id). */
export interface Reply {
  type: number;
  payload: Uint8Array;
}

const decoder = new TextDecoder();

/** One WebSocket speaking WebWire v2. */
export class RawWebWire {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 1;
  /** Called with a binary signal's name bytes and payload (views of the received message). */
  onSignal: (name: Uint8Array, payload: Uint8Array) => void = () => {};
  /** Called when the server closes the connection. */
  onClose: (code: number) => void = () => {};

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /** Connects and resolves once the server's accept-conf arrived. */
  static connect(url: string): Promise<RawWebWire> {
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const connection = new RawWebWire(socket);
    return new Promise((resolve, reject) => {
      socket.onerror = () => reject(new Error(`WebSocket error while connecting to ${url}`));
      socket.onclose = (e) => reject(new Error(`closed while connecting (${e.code})`));
      socket.onmessage = (event) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        if (bytes[0] !== acceptConf) {
          return reject(new Error(`expected accept-conf first, got type ${bytes[0]}`));
        }
        socket.onmessage = (e) => connection.#receive(new Uint8Array(e.data as ArrayBuffer));
        socket.onclose = (e) => connection.onClose(e.code);
        socket.onerror = () => {};
        resolve(connection);
      };
    });
  }

  /** Sends a request; resolves with the reply. */
  request(name: string, payload: string | Uint8Array): Promise<Reply> {
    const id = this.#id();
    return this.#send(id, encodeRequest({ id: idBytes(id), name, payload }));
  }

  /** Sends a request and resolves with its UTF-8 reply; rejects on any other reply. */
  async call(name: string, payload: string | Uint8Array): Promise<string> {
    const reply = await this.request(name, payload);
    const text = decoder.decode(reply.payload);
    if (!replies.has(reply.type)) throw new Error(`${name} failed: type ${reply.type} ${text}`);
    return text;
  }

  /** Sends restore-session for `key`; resolves with the reply. */
  restoreSession(key: string): Promise<Reply> {
    const id = this.#id();
    return this.#send(id, encodeRestoreSession(idBytes(id), key));
  }

  /** Sends close-session (detaches the connection from its session); resolves with the reply. */
  closeSession(): Promise<Reply> {
    const id = this.#id();
    return this.#send(id, encodeCloseSession(idBytes(id)));
  }

  /** Sends a signal. */
  signal(name: string, payload: string | Uint8Array): void {
    this.#socket.send(encodeSignal({ name, payload }) as Uint8Array<ArrayBuffer>);
  }

  /** Closes the connection (normal closure), without calling `onClose`. */
  close(): void {
    this.#socket.onclose = null;
    this.#socket.close(1000, "done");
  }

  #id(): number {
    return this.#nextId++;
  }

  #send(id: number, bytes: Uint8Array): Promise<Reply> {
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#socket.send(bytes as Uint8Array<ArrayBuffer>);
    });
  }

  #receive(bytes: Uint8Array): void {
    const type = bytes[0];
    if (type === binarySignal) {
      const n = bytes[1];
      return this.onSignal(bytes.subarray(2, 2 + n), bytes.subarray(2 + n));
    }
    if (replies.has(type) || type <= failedReply) {
      const id = new DataView(bytes.buffer, bytes.byteOffset + 1, 8).getUint32(0, true);
      const resolve = this.#pending.get(id);
      if (resolve === undefined) throw new Error(`a reply to no request (id ${id})`);
      this.#pending.delete(id);
      return resolve({ type, payload: bytes.subarray(type === 193 ? 10 : 9) });
    }
    if (type === sessionCreated || type === 22) return;
    throw new Error(`unexpected message type ${type}`);
  }
}

function idBytes(id: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, id, true);
  return bytes;
}
