/**
 * A read kept going on a connection while the server works on its request (a fallback, its
 * response, `beforeUpgrade`), to see the client leave: its end of stream (FIN) or a reset. What
 * the client sends meanwhile is kept (up to a limit: the first frames behind an upgrade request)
 * or dropped, and the read under way can be handed to the connection's next owner.
 *
 * @example
 * ```ts
 * import { PeerWatch } from "./deno_tcp_peer_watch.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = await listener.accept();
 * const watch = new PeerWatch(conn);
 * client.close();
 * await watch.gone;
 * console.assert(watch.isGone);
 * conn.close();
 * listener.close();
 * ```
 * @module
 */

import { concatBytes } from "./concat_bytes.ts";

/**
 * What a {@link PeerWatch} gives the connection's next owner.
 *
 * @example
 * ```ts
 * import type { HandOff } from "./deno_tcp_peer_watch.ts";
 * const handOff: HandOff = { kept: new Uint8Array(0), pending: undefined, gone: false };
 * console.assert(!handOff.gone);
 * ```
 */
export interface HandOff {
  /** The bytes read while watching, in order. */
  readonly kept: Uint8Array;
  /** The read still under way: its bytes, or `null` at the end of the stream or on an error. */
  readonly pending: Promise<Uint8Array | null> | undefined;
  /** The client has ended its side or reset the connection. */
  readonly gone: boolean;
}

/**
 * Watches one connection, as described in the module documentation. Reads stop when `keep`
 * bytes have been kept (then the end of the stream is no longer seen) or at {@link handOff}.
 *
 * @example
 * ```ts ignore
 * import { PeerWatch } from "./deno_tcp_peer_watch.ts";
 * const watch = new PeerWatch(conn, 65536);
 * const decision = await server.prepareUpgrade(head);
 * const { kept, pending, gone } = watch.handOff();
 * if (gone) conn.close(); // the client left while beforeUpgrade ran
 * ```
 */
export class PeerWatch {
  readonly #conn: Deno.Conn;
  #keep: number;
  #kept: Uint8Array[] = [];
  #keptBytes = 0;
  #current: Promise<Uint8Array | null> | undefined;
  #reading = false;
  #handedOff = false;
  #isGone = false;
  #resolveGone!: () => void;
  /** Settles when the client has ended its side or reset the connection (or it was closed). */
  readonly gone: Promise<void> = new Promise((resolve) => this.#resolveGone = resolve);

  /** Starts reading `conn`, keeping up to `keep` bytes (default none: they are dropped). */
  constructor(conn: Deno.Conn, keep = 0) {
    this.#conn = conn;
    this.#keep = keep;
    void this.#read();
  }

  /** Whether {@link gone} has settled. */
  get isGone(): boolean {
    return this.#isGone;
  }

  /** From now on what arrives is dropped, and reading goes on until the client leaves. */
  discard(): void {
    this.#keep = 0;
    this.#kept = [];
    this.#keptBytes = 0;
    if (!this.#reading && !this.#isGone && !this.#handedOff) void this.#read();
  }

  /** Stops watching: the bytes kept and the read under way go to the caller. */
  handOff(): HandOff {
    this.#handedOff = true;
    const kept = concatBytes(this.#kept);
    this.#kept = [];
    return { kept, pending: this.#current, gone: this.#isGone };
  }

  async #read(): Promise<void> {
    this.#reading = true;
    const buffer = new Uint8Array(4096);
    while (!this.#handedOff && (this.#keep === 0 || this.#keptBytes < this.#keep)) {
      const read = this.#current = this.#conn.read(buffer).then(
        (n) => n === null ? null : buffer.subarray(0, n),
        () => null,
      );
      const bytes = await read;
      if (this.#handedOff) break; // the new owner has `read`
      this.#current = undefined;
      if (bytes === null) {
        this.#isGone = true;
        this.#resolveGone();
        break;
      }
      if (this.#keep > 0) {
        this.#kept.push(bytes.slice());
        this.#keptBytes += bytes.length;
      }
    }
    this.#reading = false;
  }
}
