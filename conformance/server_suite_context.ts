/**
 * What one check of the live server suite is ({@link ServerCheck}) and what it runs with
 * ({@link CheckContext}: the server URL, the step timeout, connections closed when it ends).
 *
 * @example
 * ```ts
 * import { CheckContext, type ServerCheck } from "./server_suite_context.ts";
 * const check: ServerCheck = { name: "nothing", run: () => Promise.resolve("ok") };
 * const context = new CheckContext("ws://127.0.0.1:1/", 500);
 * console.assert(check.name === "nothing" && context.timeoutMs === 500);
 * ```
 * @module
 */

import { SuiteConnection } from "./server_suite_connection.ts";
import { expect } from "./server_suite_failure.ts";

/**
 * What a check runs with: the server URL, the per-step timeout, and connections that the
 * runner closes when the check ends, however it ends.
 *
 * @example
 * ```ts
 * import { CheckContext } from "./server_suite_context.ts";
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
  /** Begins the server's graceful shutdown, when the suite was given a way to (`shutdown`). */
  readonly shutdown: (() => void | Promise<void>) | undefined;
  readonly #connections: SuiteConnection[] = [];
  #nextId = 1;
  #ended = false;

  /** Creates a context for one check. */
  constructor(url: string, timeoutMs: number, shutdown?: () => void | Promise<void>) {
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.shutdown = shutdown;
  }

  /**
   * Opens a connection without reading anything from it. Once the check has ended (its deadline
   * passed while it went on), a connection it opens is closed at once and this rejects.
   */
  async connect(): Promise<SuiteConnection> {
    const connection = await SuiteConnection.open(this.url, this.timeoutMs);
    if (this.#ended) {
      connection.close();
      throw new Error("the check has ended: a connection opened after its end was closed");
    }
    this.#connections.push(connection);
    return connection;
  }

  /**
   * Opens a connection and reads its first message, which must be an accept-conf (the values
   * in it are the `accept-conf` check's business). The connection then sends heartbeats as the
   * reference client does (see {@link SuiteConnection.keepAlive}), unless `keepAlive` is false.
   */
  async handshake({ keepAlive = true } = {}): Promise<SuiteConnection> {
    const connection = await this.connect();
    const first = await connection.next("accept-conf");
    expect(first.kind === "accept-conf", `first message is ${first.kind}, not accept-conf`);
    if (keepAlive && first.readTimeoutMs > 0) connection.keepAlive(first.readTimeoutMs);
    return connection;
  }

  /** A fresh request id: a little-endian counter, as the reference client makes them. */
  nextId(): Uint8Array {
    const id = new Uint8Array(8);
    new DataView(id.buffer).setUint32(0, this.#nextId++, true);
    return id;
  }

  /** Ends the check: closes every connection this context opened, and any it opens later. */
  closeAll(): void {
    this.#ended = true;
    for (const connection of this.#connections) connection.close();
  }

  /** Waits up to `ms` for every connection this context opened to have closed. */
  async closedWithin(ms: number): Promise<void> {
    await Promise.all(this.#connections.map((connection) => connection.closedWithin(ms)));
  }
}

/**
 * One check of the suite. `run` resolves to the detail of a pass and throws (a
 * {@link CheckFailure}, ideally) on a failure. An informational check tests behaviour that the
 * protocol allows but does not require; its outcome is reported but never counted as failed.
 *
 * @example
 * ```ts
 * import type { ServerCheck } from "./server_suite_context.ts";
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
