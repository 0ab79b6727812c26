/**
 * The clients of the kill-during-logins benchmark (bench/reliability/login_crash.mjs), run by
 * Bun, with our `Client` (no autoconnect).
 *
 * `login`: W workers log in concurrently, over and over: each connects, sends `login` (the
 * server creates a session), and on the reply prints `ACK <key> <user>` (the login was
 * acknowledged: its session must be on disk), then closes the connection (which keeps the
 * session) and starts again. A worker stops at its first failure (the server was killed) or
 * after `max` logins; once all have stopped it prints `DONE <json>` and exits.
 *
 * `restore`: restores each session of a JSON file (`[{ "key": ..., "user": ... }]`) on a
 * connection of its own, checks that it holds the user it was made for, and prints
 * `RESTORED <json>` with the counts.
 *
 * Usage: bun bench/reliability/login_clients.ts login <url> <workers> [max per worker]
 *        bun bench/reliability/login_clients.ts restore <url> <file>
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { Client } from "../../client.ts";
import { silentLogger } from "../../protocol/logger.ts";

const [mode, url, ...rest] = process.argv.slice(2);

function newClient(): Client {
  return new Client(url, { autoconnect: false, logger: silentLogger, requestTimeout: 10_000 });
}

async function loginWorker(worker: number, max: number): Promise<number> {
  let logins = 0;
  while (logins < max) {
    const client = newClient();
    try {
      await client.connect();
      const user = `w${worker}-${logins}`;
      await client.request("login", user);
      const key = client.session?.key;
      if (key === undefined) throw new Error("acknowledged without a session");
      console.log(`ACK ${key} ${user}`);
      logins++;
    } catch {
      return logins;
    } finally {
      await client.close();
    }
  }
  return logins;
}

async function restoreOne(key: string, user: string): Promise<"ok" | "wrong user" | "failed"> {
  const client = newClient();
  try {
    await client.connect();
    await client.restoreSession(key);
    return client.session?.info?.user === user ? "ok" : "wrong user";
  } catch {
    return "failed";
  } finally {
    await client.close();
  }
}

if (mode === "login") {
  const workers = Number(rest[0]);
  const max = Number(rest[1] ?? Infinity);
  const logins = await Promise.all(
    Array.from({ length: workers }, (_, worker) => loginWorker(worker, max)),
  );
  console.log(`DONE ${JSON.stringify({ logins: logins.reduce((a, b) => a + b, 0) })}`);
} else if (mode === "restore") {
  const sessions = JSON.parse(readFileSync(rest[0], "utf8")) as { key: string; user: string }[];
  const counts: Record<string, number> = { ok: 0, "wrong user": 0, failed: 0 };
  for (const outcome of await Promise.all(sessions.map((s) => restoreOne(s.key, s.user)))) {
    counts[outcome]++;
  }
  console.log(`RESTORED ${JSON.stringify(counts)}`);
} else {
  throw new Error(`unknown mode ${mode}: login or restore`);
}
process.exit(0);
