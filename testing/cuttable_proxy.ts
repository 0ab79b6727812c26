/**
 * A TCP proxy on 127.0.0.1 in front of one port whose link a test can cut: for tests of a
 * server that loses its Redis while Redis itself keeps running (a network cut, not a crash).
 * Runs on Deno, Bun and Node (`node:net`).
 *
 * @example
 * ```ts
 * import { startCuttableProxy } from "./cuttable_proxy.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const proxy = await startCuttableProxy(redis.port);
 * console.assert(proxy.url.startsWith("redis://127.0.0.1:"));
 * proxy.cut(); // every connection through it drops, new ones are refused
 * proxy.heal(); // new connections pass again
 * await proxy.close();
 * await redis.stop();
 * ```
 * @module
 */

import { createConnection, createServer, type Socket } from "node:net";

/**
 * A running {@link startCuttableProxy}.
 *
 * @example
 * ```ts
 * import type { CuttableProxy } from "./cuttable_proxy.ts";
 * const cutFor = async (proxy: CuttableProxy, ms: number) => {
 *   proxy.cut();
 *   await new Promise((resolve) => setTimeout(resolve, ms));
 *   proxy.heal();
 * };
 * console.assert(typeof cutFor === "function");
 * ```
 */
export interface CuttableProxy {
  /** `redis://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Drops every connection through the proxy and refuses new ones until {@link heal}. */
  cut(): void;
  /** Lets new connections through again. */
  heal(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:targetPort` on a free port.
 *
 * @example
 * ```ts
 * import { startCuttableProxy } from "./cuttable_proxy.ts";
 * const proxy = await startCuttableProxy(6379);
 * await proxy.close();
 * ```
 */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  let open = true;
  const sockets = new Set<Socket>();
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const server = createServer((inbound) => {
    if (!open) return void inbound.destroy();
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort });
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    for (const socket of [inbound, outbound]) socket.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      open = false;
      dropAll();
    },
    heal() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
