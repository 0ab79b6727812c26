/**
 * Run as a script (Deno): serves a server on the Deno adapter with `maxSendBuffer` 1 MiB, lets
 * a client that never reads connect, broadcasts 1-byte signals until that client is dropped (or
 * 4 million were sent), and prints one JSON line: `{ "reasons": [...], "broadcasts": n,
 * "grownMiB": n }`, the growth of this process's resident memory meanwhile. In a process of
 * its own, so that no other test's memory is counted.
 *
 * @example
 * ```ts ignore
 * // deno run -A testing/stalled_broadcast_memory.ts
 * // {"reasons":["slow-reader"],"broadcasts":846000,"grownMiB":9}
 * ```
 * @module
 */

import { silentLogger } from "../protocol/logger.ts";
import { startServer } from "./serve.ts";
import { stalledClient } from "./stalled_client.ts";
import { until } from "./until.ts";

if (import.meta.main) {
  const reasons: string[] = [];
  const running = await startServer({
    sessionsEnabled: false,
    logger: silentLogger,
    maxSendBuffer: 1 << 20,
    onClientDisconnected: (_connection, reason) => void reasons.push(reason.kind),
  });
  const peer = await stalledClient(running.url, new Uint8Array(0));
  await until(() => running.server.connectionCount === 1, "connected");
  const rssBefore = Deno.memoryUsage().rss;
  let broadcasts = 0;
  while (reasons.length === 0 && broadcasts < 4_000_000) {
    for (let i = 0; i < 1000; i++) running.server.broadcast("", "x");
    broadcasts += 1000;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const grownMiB = Math.round((Deno.memoryUsage().rss - rssBefore) / (1 << 20));
  console.log(JSON.stringify({ reasons, broadcasts, grownMiB }));
  peer.destroy();
  await running.close();
}
