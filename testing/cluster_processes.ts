/**
 * Cluster nodes as processes of their own (Deno, Bun or Node) for the multi-process tests and
 * the cluster demo: each runs `testing/cluster_node.ts` (bundled by esbuild for Node, which
 * cannot run TypeScript) and is ready when it prints its URL.
 *
 * @example
 * ```ts
 * import { type NodeRuntime, startNodeProcess } from "./cluster_processes.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { Client } from "../client.ts";
 * const redis = await startRedisServer();
 * const runtimes: NodeRuntime[] = ["deno", "bun"];
 * const nodes = await Promise.all(runtimes.map((runtime, i) =>
 *   startNodeProcess(runtime, { REDIS_URL: redis.url, NODE_NAME: `node-${i + 1}` })
 * ));
 * const laptop = new Client(nodes[0].url);
 * await laptop.request("login", "ada"); // a session made on the Deno node, kept in Redis
 * const phone = new Client(nodes[1].url);
 * await phone.restoreSession(laptop.session!.key); // restored on the Bun node
 * console.assert((await phone.request("user")).text() === "ada");
 * await Promise.all([laptop.close(), phone.close()]);
 * await Promise.all(nodes.map((node) => node.stop()));
 * await redis.stop();
 * ```
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nodeScript = join(root, "testing", "cluster_node.ts");
const bundled = join(root, "dist", "cluster_node", "cluster_node.mjs");
let bundling: Promise<void> | undefined;

/**
 * The runtime of a node process.
 *
 * @example
 * ```ts
 * import type { NodeRuntime } from "./cluster_processes.ts";
 * const runtime: NodeRuntime = "bun";
 * console.assert(runtime === "bun");
 * ```
 */
export type NodeRuntime = "deno" | "bun" | "node";

/**
 * A running node process.
 *
 * @example
 * ```ts
 * import { type NodeProcess, startNodeProcess } from "./cluster_processes.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { Client } from "../client.ts";
 * const redis = await startRedisServer();
 * const env = { REDIS_URL: redis.url, NODE_NAME: "a" };
 * const node: NodeProcess = await startNodeProcess("deno", env);
 * const client = new Client(node.url);
 * console.assert((await client.request("whereami")).text() === "a");
 * await client.close();
 * await node.stop(); // SIGTERM: a graceful shutdown
 * await redis.stop();
 * ```
 */
export interface NodeProcess {
  /** Its runtime. */
  readonly runtime: NodeRuntime;
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Kills it at once (SIGKILL: no goodbye to Redis) and resolves when it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful shutdown), then SIGKILL after 5 s; resolves when it is gone. */
  stop(): Promise<void>;
}

function binary(name: string): string {
  return join(root, "node_modules", ".bin", name);
}

function bundleForNode(): Promise<void> {
  mkdirSync(dirname(bundled), { recursive: true });
  bundling ??= build({
    entryPoints: [nodeScript],
    outfile: bundled,
    write: false,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    external: ["ws", "ioredis"],
  }).then((result) => {
    // Written aside and renamed into place: test files (and the cluster demo) that run in
    // parallel bundle to the same path, and a node must never start on a half-written file.
    const aside = `${bundled}.${process.pid}.tmp`;
    writeFileSync(aside, result.outputFiles[0].contents);
    renameSync(aside, bundled);
  });
  return bundling;
}

/**
 * Starts a node process on `runtime` with the given environment (see `cluster_node.ts`).
 *
 * @example
 * ```ts
 * import { startNodeProcess } from "./cluster_processes.ts";
 * import { startRedisServer } from "./redis_server.ts";
 * import { Client } from "../client.ts";
 * const redis = await startRedisServer();
 * const node = await startNodeProcess("node", { REDIS_URL: redis.url, NODE_NAME: "n" });
 * const client = new Client(node.url, { autoconnect: false });
 * await client.connect();
 * console.assert((await client.request("whereami")).text() === "n");
 * const dropped = new Promise((resolve) => client.addEventListener("disconnected", resolve));
 * await node.kill(); // SIGKILL: no goodbye to Redis
 * await dropped;
 * await client.close();
 * await redis.stop();
 * ```
 * @throws {Error} when it exits or says nothing within 20 s.
 */
export async function startNodeProcess(
  runtime: NodeRuntime,
  env: Record<string, string>,
): Promise<NodeProcess> {
  let command: string;
  let args: string[];
  if (runtime === "node") {
    await bundleForNode();
    command = "node";
    args = [bundled];
  } else if (runtime === "deno") {
    command = binary("deno");
    args = ["run", "-A", nodeScript];
  } else {
    command = binary("bun");
    args = ["run", nodeScript];
  }
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...processEnv(),
      NO_COLOR: "1",
      ...(runtime === "node" ? { ADAPTER: "node" } : {}),
      ...env,
      WEBWIRE_CLUSTER_NODE: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail("no URL within 20 s"), 20_000);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${runtime} node: ${why}\n${output}`));
    }
    child.stdout!.on("data", (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const match = /listening (ws:\/\/\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr!.on("data", (chunk: Uint8Array) => output += new TextDecoder().decode(chunk));
    child.once("exit", (code) => fail(`exited with ${code}`));
  });
  return {
    runtime,
    url,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function processEnv(): Record<string, string> {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env ?? {};
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
