/**
 * The clients of the reconnect-storm benchmark (bench/reliability/reconnect_storm.mjs), run by
 * Bun: N of our `Client`s (autoconnect, default backoff), each logged in with a session of
 * its own (`login`). `Math.random`, which the clients' reconnect jitter draws from, is seeded,
 * so that a run with the same seed spreads its reconnects the same way.
 *
 * Prints `LOGGED_IN <n>` once every client has its session. Then, after the server was killed
 * and started again, `RESULT <json>` once every client is connected again with its session
 * restored (or when the deadline passes): how many were restored with the same key, how many
 * lost their session (the restore failed), the failed connect attempts, and each client's
 * time of restore (ms since the epoch).
 *
 * Usage: bun bench/reliability/storm_clients.ts <url> [clients] [seed] [deadline seconds]
 *
 * @module
 */

import process from "node:process";
import { Client } from "../../client.ts";
import { silentLogger } from "../../protocol/logger.ts";
import { seededRandom } from "./seeded_random.mjs";

const [url, countArg = "1000", seedArg = "1", deadlineArg = "120"] = process.argv.slice(2);
const count = Number(countArg);
Math.random = seededRandom(Number(seedArg));
const now = () => performance.timeOrigin + performance.now();

interface Tracked {
  client: Client;
  key: string;
  disconnectedAt: number | null;
  restoredAt: number | null;
  lost: boolean;
}

let storm = false;
let restored = 0;
let lostSessions = 0;
let otherKey = 0;
let connectFailures = 0;
let allRestored: () => void = () => {};
const done = new Promise<void>((resolve) => allRestored = resolve);
/** Every client is either restored or has lost its session for good. */
const settle = () => {
  if (restored + lostSessions === count) allRestored();
};

const tracked: Tracked[] = Array.from({ length: count }, () => {
  const entry: Tracked = {
    client: new Client(url, { logger: silentLogger, requestTimeout: 60_000 }),
    key: "",
    disconnectedAt: null,
    restoredAt: null,
    lost: false,
  };
  const client = entry.client;
  client.addEventListener("disconnected", () => {
    if (storm && entry.disconnectedAt === null) entry.disconnectedAt = now();
  });
  client.addEventListener("connectfailed", () => {
    if (storm) connectFailures++;
  });
  client.addEventListener("sessionclosed", () => {
    if (!storm || entry.lost || entry.restoredAt !== null) return;
    entry.lost = true;
    lostSessions++;
    settle();
  });
  client.addEventListener("connected", () => {
    if (!storm || entry.restoredAt !== null || client.session === null) return;
    entry.restoredAt = now();
    if (client.session.key !== entry.key) otherKey++;
    restored++;
    settle();
  });
  return entry;
});

await Promise.all(tracked.map(async (entry, i) => {
  await entry.client.request("login", `user-${i}`);
  const session = entry.client.session;
  if (session === null) throw new Error(`client ${i} has no session after logging in`);
  entry.key = session.key;
}));
storm = true;
console.log(`LOGGED_IN ${count}`);

let timer: ReturnType<typeof setTimeout> | undefined;
await Promise.race([
  done,
  new Promise((resolve) => timer = setTimeout(resolve, Number(deadlineArg) * 1000)),
]);
clearTimeout(timer);
console.log(`RESULT ${
  JSON.stringify({
    clients: count,
    restored,
    sameKey: restored - otherKey,
    lostSessions,
    connectFailures,
    disconnectedAt: tracked.map((t) => t.disconnectedAt),
    restoredAt: tracked.map((t) => t.restoredAt),
  })
}`);
process.exit(0);
