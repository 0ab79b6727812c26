/**
 * A TCP proxy on 127.0.0.1 in front of one port that can partition its link: while partitioned
 * it holds the bytes of every connection (TCP stays up, nothing arrives), as a network fault
 * shorter than TCP's retransmission timeout, or a hung peer, does. Healed, it delivers what it
 * held, late. A connection that either side closes meanwhile loses what was held for it. Runs on
 * Deno, Bun and Node (`node:net`).
 *
 * @example
 * ```ts
 * import { startPartitionProxy } from "./partition_proxy.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * const redis = await startRedisServer();
 * const proxy = await startPartitionProxy(redis.port);
 * console.assert(proxy.url.startsWith("redis://127.0.0.1:"));
 * proxy.partition(); // bytes are held from now on
 * proxy.heal(); // what was held goes through, late
 * await proxy.close();
 * await redis.stop();
 * ```
 * @module
 */

import { createConnection, createServer, type Socket } from "node:net";

/**
 * A running {@link startPartitionProxy}.
 *
 * @example
 * ```ts
 * import type { PartitionProxy } from "./partition_proxy.ts";
 * const blip = async (proxy: PartitionProxy, ms: number) => {
 *   proxy.partition();
 *   await new Promise((resolve) => setTimeout(resolve, ms));
 *   proxy.heal();
 * };
 * console.assert(typeof blip === "function");
 * ```
 */
export interface PartitionProxy {
  /** `redis://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** How many connections pass through it now. */
  readonly connections: number;
  /** How many connections have ended (closed by either side, or reset). */
  readonly ended: number;
  /** Holds the bytes of every connection, new ones included, until {@link heal}. */
  partition(): void;
  /** Delivers what was held, in order, and lets bytes through again. */
  heal(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

interface Pair {
  readonly sockets: readonly [Socket, Socket];
  readonly held: [Socket, Uint8Array][];
}

/**
 * Starts a proxy to `127.0.0.1:targetPort` on a free port.
 *
 * @example
 * ```ts
 * import { startPartitionProxy } from "./partition_proxy.ts";
 * const proxy = await startPartitionProxy(6379);
 * console.assert(proxy.connections === 0);
 * await proxy.close();
 * ```
 */
export async function startPartitionProxy(targetPort: number): Promise<PartitionProxy> {
  let partitioned = false;
  let ended = 0;
  const pairs = new Set<Pair>();
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair: Pair = { sockets: [inbound, outbound], held: [] };
    pairs.add(pair);
    const forward = (to: Socket) => (bytes: Uint8Array) => {
      if (partitioned) pair.held.push([to, bytes]);
      else to.write(bytes);
    };
    inbound.on("data", forward(outbound));
    outbound.on("data", forward(inbound));
    const end = () => {
      if (pairs.has(pair)) ended++;
      inbound.destroy();
      outbound.destroy();
      pair.held.length = 0;
      pairs.delete(pair);
    };
    for (const socket of pair.sockets) socket.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    get ended() {
      return ended;
    },
    partition() {
      partitioned = true;
    },
    heal() {
      partitioned = false;
      for (const pair of pairs) {
        for (const [to, bytes] of pair.held.splice(0)) to.write(bytes);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) for (const socket of pair.sockets) socket.destroy();
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
