/**
 * A real `redis-server` for tests: started on a free port of 127.0.0.1 with nothing persisted
 * (`--save "" --appendonly no`, a temporary directory), restartable on the same port so that
 * tests can take Redis away mid-test, and stopped at the end. Uses `node:child_process` and
 * `node:net`, so it runs under Deno, Bun and Node.
 *
 * Where `redis-server` is not installed, {@link startRedisServer} throws an error whose message
 * says how to install it: the Redis tests fail there, they do not skip.
 *
 * @example
 * ```ts
 * import { startRedisServer } from "./redis_server.ts";
 * import { Redis } from "ioredis";
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url);
 * await client.set("key", "value");
 * await redis.restart(); // Redis goes away mid-test and comes back empty, on the same port
 * console.assert(await client.get("key") === null); // ioredis reconnected by itself
 * client.disconnect();
 * await redis.stop();
 * ```
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stablePort } from "./stable_port.ts";

/** How long a start may take before it is a failure. */
const startTimeoutMs = 10_000;
/** How long a stop waits for the process to exit after SIGTERM before it sends SIGKILL. */
const stopTimeoutMs = 5_000;

/**
 * A `redis-server` started by {@link startRedisServer}.
 *
 * @example
 * ```ts
 * import { type RedisServer, startRedisServer } from "./redis_server.ts";
 * import { Redis } from "ioredis";
 * const redis: RedisServer = await startRedisServer();
 * await redis.pause(); // Redis is gone: connections are refused
 * await redis.start(); // back, on the same port
 * const client = new Redis(redis.url);
 * console.assert(await client.ping() === "PONG");
 * client.disconnect();
 * await redis.stop();
 * ```
 */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The port it listens on; the same after every restart. */
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory; idempotent. */
  stop(): Promise<void>;
  /** Stops the server and starts it again, empty, on the same port. */
  restart(): Promise<void>;
  /** Stops the server without removing its directory, so that {@link start} can follow. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port; resolves when it answers. */
  start(): Promise<void>;
  /**
   * Suspends the process (SIGSTOP): connections stay open but nothing is answered, as with a
   * hung or overloaded Redis. {@link resume} undoes it.
   */
  freeze(): void;
  /** Resumes a frozen process (SIGCONT); it answers what it was sent meanwhile. */
  resume(): void;
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 and resolves when it answers `PING`.
 *
 * @throws {Error} with a one-line installation hint when `redis-server` is not installed.
 * @example
 * ```ts
 * import { startRedisServer } from "./redis_server.ts";
 * import { Redis } from "ioredis";
 * const redis = await startRedisServer();
 * const client = new Redis(redis.url); // redis://127.0.0.1:<port>
 * await client.set("greeting", "hello");
 * console.assert(await client.get("greeting") === "hello");
 * client.disconnect();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await stablePort(); // taken again by start() after pause()
  const directory = mkdtempSync(join(tmpdir(), "webwire-redis-"));
  let child: ChildProcess | null = null;
  let removed = false;
  let frozen = false;

  const start = async (): Promise<void> => {
    if (child !== null) return;
    if (removed) throw new Error("this redis-server was stopped for good; start a new one");
    child = await launch(port, directory);
  };
  const pause = async (): Promise<void> => {
    const running = child;
    if (frozen && running !== null) signal(running, "SIGCONT"); // or it would not act on SIGTERM
    frozen = false;
    child = null;
    if (running !== null) await terminate(running);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    pause,
    restart: async () => {
      await pause();
      await start();
    },
    freeze: () => {
      if (child === null || frozen) return;
      frozen = true;
      signal(child, "SIGSTOP");
    },
    resume: () => {
      if (child === null || !frozen) return;
      frozen = false;
      signal(child, "SIGCONT");
    },
    stop: async () => {
      await pause();
      if (!removed) {
        removed = true;
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

const installHint =
  "redis-server is not installed: install it with `apt-get install redis-server` " +
  "(Debian/Ubuntu) or run `bash .ci/setup`";

async function launch(port: number, directory: string): Promise<ChildProcess> {
  const logFile = join(directory, "redis.log");
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    directory,
    "--logfile",
    logFile,
  ];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(error));
  });
  if (spawned !== null) {
    if ((spawned as { code?: unknown }).code === "ENOENT") throw new Error(installHint);
    throw spawned;
  }
  child.unref();
  // Killed with the test process too, when no `after` hook stopped it: Node and Bun emit the
  // process's `exit`; `deno test` does not, but dispatches `unload` (and skips the `after` hooks
  // of a file whose last test `--filter` left out).
  const killOnExit = () => signal(child, "SIGKILL");
  process.once("exit", killOnExit);
  globalThis.addEventListener?.("unload", killOnExit);
  child.once("exit", () => {
    process.off("exit", killOnExit);
    globalThis.removeEventListener?.("unload", killOnExit);
  });
  const deadline = Date.now() + startTimeoutMs;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      signal(child, "SIGKILL");
      throw new Error(
        `redis-server on port ${port} did not start: ${lastLine(logFile) ?? "no log output"}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal(child, "SIGKILL"), stopTimeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    signal(child, "SIGTERM");
  });
}

/**
 * Sends a signal by pid: Deno's `ChildProcess.kill` sends only the first signal of a child
 * (it then counts as killed), which would make a SIGSTOP the last signal it ever gets.
 */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, name);
  } catch {
    // It has exited meanwhile.
  }
}

/** Sends an inline `PING` and tells whether `+PONG` came back. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let received = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (received.includes("\r\n")) done(received.startsWith("+PONG"));
    });
  });
}

function lastLine(path: string): string | null {
  try {
    const lines = readFileSync(path, "utf8").trim().split("\n");
    return lines[lines.length - 1] || null;
  } catch {
    return null;
  }
}
