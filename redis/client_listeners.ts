/**
 * The listeners a cluster node adds to an ioredis client, so that it can take them all off
 * again: a node may run on a client that the application shares and keeps after the node left.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClientListeners } from "./client_listeners.ts";
 * const client = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
 * const listeners = new ClientListeners(client);
 * listeners.reportOutages("commands", console);
 * console.assert(client.listenerCount("error") === 1);
 * listeners.removeAll();
 * console.assert(client.listenerCount("error") === 0);
 * client.disconnect();
 * ```
 * @module
 */

// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import type { Redis } from "ioredis";
import type { Logger } from "../protocol/logger.ts";

/**
 * The `error` and `ready` listeners added to one client.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ClientListeners } from "./client_listeners.ts";
 * const client = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
 * const listeners = new ClientListeners(client);
 * listeners.on("ready", () => console.log("connected"));
 * listeners.removeAll(); // the client no longer says so
 * client.disconnect();
 * ```
 */
export class ClientListeners {
  readonly #client: Redis;
  readonly #added: [event: "error" | "ready", listener: (error?: Error) => void][] = [];

  /** Listeners on `client`. */
  constructor(client: Redis) {
    this.#client = client;
  }

  /** Listens to `event` until {@link ClientListeners.removeAll}. */
  on(event: "error" | "ready", listener: (error?: Error) => void): void {
    if (event === "error") this.#client.on(event, listener);
    else this.#client.on(event, listener);
    this.#added.push([event, listener]);
  }

  /** Warns once per outage that the `what` connection went away (ioredis says it per retry). */
  reportOutages(what: string, logger: Logger): void {
    let reported = false;
    this.on("error", (error) => {
      if (reported) return;
      reported = true;
      logger.warn(`Redis cluster (${what} connection): ${error?.message}`);
    });
    this.on("ready", () => reported = false);
  }

  /** Takes every listener added here off the client. */
  removeAll(): void {
    for (const [event, listener] of this.#added.splice(0)) this.#client.off(event, listener);
  }
}
