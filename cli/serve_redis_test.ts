// `webwire serve --redis`: three serve processes on one real redis-server form a cluster (this
// runtime's adapter, the other of Deno and Bun through --runtime, and Node through --runtime
// node); a session made on one restores on the others through the CLI's own `call --session`.
// Also: a graceful SIGTERM ends every one of them with exit code 0, also while one still waits
// for Redis, and the CLI loads redis/ (and ioredis) only for --redis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "../client/client.ts";
import { silentLogger } from "../protocol/logger.ts";
import { redisFixture } from "../testing/redis_fixture.ts";
import { startRedisServer } from "../testing/redis_server.ts";
import {
  cliCommand,
  type ServeProcess,
  spawnCli,
  startServeProcess,
} from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const [command, ...rest] = cliCommand(args);
  return new Promise((resolve) => {
    execFile(command, [...rest], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as { code?: number }).code ?? -1;
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
    });
  });
}

const other = "Bun" in globalThis ? "deno" : "bun";
let nodes: ServeProcess[] = [];
// Started at once: it waits the CLI's 5 s for Redis while the cluster starts.
let unreachable: Promise<Run>;

const redis = redisFixture({
  started: async (server) => {
    unreachable = cli("serve", "--port", "0", "--redis", "redis://demo:hunter2@127.0.0.1:1");
    const redisArgs = ["--port", "0", "--redis", server.url, "--redis-prefix", "cli-test:"];
    const started = await Promise.allSettled([
      startServeProcess(redisArgs),
      startServeProcess([...redisArgs, "--runtime", other]),
      startServeProcess([...redisArgs, "--runtime", "node"]),
    ]);
    // Those that started are stopped at the end even when another failed to.
    nodes = started.flatMap((outcome) => outcome.status === "fulfilled" ? [outcome.value] : []);
    const failed = started.find((outcome) => outcome.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  },
  stopping: async () => {
    await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
  },
});

test("serve --redis: a session made on one node restores on the others (call --session)", async () => {
  for (const node of nodes) {
    assert.match(node.output(), /cluster node [0-9a-f]{16} on redis:\/\/127\.0\.0\.1:\d+ /);
  }
  const client = new Client(nodes[0].url, { autoconnect: false, logger: silentLogger });
  let key: string;
  try {
    await client.connect();
    await client.request("login", "ada");
    await until(() => client.session !== null, "logged in");
    key = client.session!.key;
    const user = await cli("call", nodes[1].url, "user", "--session", key);
    assert.equal(user.code, 0, user.stderr);
    assert.equal(user.stdout, "ada\n", `a login on this runtime restores on ${other}`);
    const whoami = await cli("call", nodes[2].url, "whoami", "--session", key);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(whoami.stdout, `${key}\n`, "and on Node");
  } finally {
    await client.close();
  }
  // Another prefix is another cluster: the session is not there.
  const alone = await startServeProcess(["--port", "0", "--redis", redis.url]);
  try {
    const missing = await cli("call", alone.url, "whoami", "--session", key);
    assert.equal(missing.code, 1, missing.stderr);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /cannot restore session \S+: the server found no session/);
  } finally {
    assert.equal(await alone.stop(), 0, alone.output());
  }
});

test("serve --redis: a Redis that does not answer exits with 3, bad options with 2", async () => {
  const run = await unreachable;
  assert.equal(run.code, 3, run.stdout + run.stderr);
  assert.match(
    run.stderr,
    /cannot reach Redis at redis:\/\/demo:\*\*\*@127\.0\.0\.1:1 within 5000 ms/,
  );
  assert.doesNotMatch(run.stderr, /hunter2/, "the password is not printed");
  for (
    const args of [
      ["--redis", "127.0.0.1:6379"],
      ["--redis", "http://127.0.0.1:6379"],
      ["--redis-prefix", "p:"],
      ["--redis", "redis://127.0.0.1:6379", "--session-dir", "/tmp"],
      ["--redis", "redis://127.0.0.1:6379", "--redis-prefix", ""],
    ]
  ) {
    const bad = await cli("serve", ...args);
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stderr}`);
  }
  const help = await cli("serve", "--help");
  assert.match(help.stdout, /--redis URL/);
  assert.match(help.stdout, /--redis-prefix P/);
});

test("SIGTERM ends serve gracefully with exit code 0, also through --runtime", async () => {
  const stopping = nodes;
  nodes = [];
  const codes = await Promise.all(stopping.map((node) => node.stop()));
  for (const [i, code] of codes.entries()) {
    assert.equal(code, 0, stopping[i].output());
    assert.match(stopping[i].output(), /shutting down/);
  }
});

test("the CLI loads redis/ and ioredis only through a dynamic import", () => {
  const deno = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  const info = spawnSync(deno, ["info", "--json", main], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(info.status, 0, info.stderr);
  interface Dependency {
    code?: { specifier: string };
    isDynamic?: boolean;
  }
  const graph = JSON.parse(info.stdout) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const bySpecifier = new Map(graph.modules.map((module) => [module.specifier, module]));
  const loaded = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (loaded.has(specifier)) continue;
    loaded.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.code !== undefined && dependency.isDynamic !== true) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  const all = graph.modules.map((module) => module.specifier);
  assert.ok(all.some((s) => s.includes("ioredis")), "the graph reaches ioredis at all");
  assert.ok(loaded.has(graph.roots[0]) && loaded.size > 10, `${loaded.size} modules`);
  assert.deepEqual([...loaded].filter((s) => /ioredis|\/redis\//.test(s)), []);
});

for (
  const [runtime, redis] of [["this runtime", "hung"], ["node", "hung"], ["this runtime", "gone"]]
) {
  test(`SIGTERM while serve --redis waits for a ${redis} Redis stops it at once with 0 (${runtime})`, async () => {
    const hung = await startRedisServer();
    // Hung: connections are taken, nothing is answered. Gone: connections are refused and
    // tried again. Either way the CLI would wait its 5 s for an answer.
    if (redis === "hung") hung.freeze();
    else await hung.pause();
    try {
      const extra = runtime === "node" ? ["--runtime", "node"] : [];
      const run = spawnCli(["serve", "--port", "0", "--redis", hung.url, ...extra]);
      await until(() => run.stdout().includes("connecting to Redis at"), "serve connecting");
      // Well into the wait: a client refused at first waits between its tries by then.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sent = Date.now();
      process.kill(run.child.pid!, "SIGTERM"); // by pid: Deno's child.kill() reports a kill
      const exit = await run.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, `${run.stdout()}${run.stderr()}`);
      assert.match(run.stdout(), /stopped before listening/);
      assert.doesNotMatch(run.stdout(), /listening on/);
      assert.equal(run.stderr(), "");
      // Not its 5 s for Redis: the wait is given up as the signal comes.
      assert.ok(Date.now() - sent < 4000, `${Date.now() - sent} ms`);
    } finally {
      hung.resume();
      await hung.stop();
    }
  });
}
