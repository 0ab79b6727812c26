// Memory per idle connection: each server (ours and the raw echo floor, on Bun, Deno and
// Node) gets N WebSocket connections that do nothing after the handshake; the growth of the
// server's resident memory (VmRSS) divided by N is its cost per connection. Linux only.
// Prints each server's figures on stderr as it goes, then one JSON line: the servers, and per
// runtime ours against the raw echo with the goal of #10 (at most 2 KiB above raw on Bun and
// Node). A connection that fails or gets no accept-conf within 10 s counts as an error.
//
// Usage: node bench/reliability/idle_memory.mjs [connections] [--only id,id,...] [--quick]
//   --quick  shorter pauses for the memory to settle (a smoke run, for the tests)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "../bench_support.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const buildDir = join(root, "dist", "bench");
const count = Number(/^\d+$/.test(process.argv[2] ?? "") ? process.argv[2] : 5000);
const quick = process.argv.includes("--quick");
const settleMs = quick ? 500 : 3000;
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex < 0 ? null : process.argv[onlyIndex + 1].split(",");
const lifetime = ["--lifetime", "600"];

const targets = [
  { id: "webwire-bun", command: [bin("bun"), ["bench/e2e/webwire_server.ts", ...lifetime]] },
  { id: "raw-bun", command: [bin("bun"), ["bench/e2e/raw_echo_bun.ts", ...lifetime]] },
  {
    id: "webwire-deno",
    command: [bin("deno"), ["run", "-A", "bench/e2e/webwire_server.ts", ...lifetime]],
  },
  {
    id: "webwire-deno-tcp",
    command: [bin("deno"), ["run", "-A", "bench/e2e/webwire_server.ts", "--tcp", ...lifetime]],
  },
  {
    id: "raw-deno",
    command: [bin("deno"), ["run", "-A", "bench/e2e/raw_echo_deno.ts", ...lifetime]],
  },
  {
    id: "webwire-node",
    command: [process.execPath, [join(buildDir, "webwire_server.mjs"), ...lifetime]],
  },
  {
    id: "raw-node",
    command: [process.execPath, [join(buildDir, "raw_echo_node.mjs"), ...lifetime]],
  },
].filter((target) => only === null || only.includes(target.id));

for (const name of ["webwire_server", "raw_echo_node"]) {
  await bundleForNode(join("bench", "e2e", `${name}.ts`), join(buildDir, `${name}.mjs`));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function rssKiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/)[1]);
}

/** Connects, upgrades and waits for the first frame (accept-conf); keeps the socket open. */
function idleClient(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no accept-conf within 10 s"));
    }, 10_000);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("connect", () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let seen = Buffer.alloc(0);
    const onData = (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      const end = seen.indexOf("\r\n\r\n");
      // The head, then accept-conf (2 + 11 bytes).
      if (end >= 0 && seen.length >= end + 4 + 13) {
        clearTimeout(timer);
        socket.off("data", onData);
        socket.on("data", () => {});
        resolve(socket);
      }
    };
    socket.on("data", onData);
  });
}

const results = [];
for (const target of targets) {
  const [command, args] = target.command;
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const ready = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /READY ws:\/\/127\.0\.0\.1:(\d+)\/ (\d+)/.exec(out);
      if (match) resolve({ port: Number(match[1]), pid: Number(match[2]) });
    });
    child.once("exit", (code) => reject(new Error(`${target.id} exited with ${code}`)));
  });
  // Warm up: one connection and its close, so that lazily loaded code is in memory.
  (await idleClient(ready.port)).destroy();
  await sleep(quick ? 300 : 1000);
  const before = rssKiB(ready.pid);
  const sockets = [];
  const errors = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Math.min(100, count - i);
    const settled = await Promise.allSettled(
      Array.from({ length: batch }, () => idleClient(ready.port)),
    );
    for (const result of settled) {
      if (result.status === "fulfilled") sockets.push(result.value);
      else errors.push(result.reason.message);
    }
  }
  await sleep(settleMs);
  const open = rssKiB(ready.pid);
  for (const socket of sockets) socket.destroy();
  await sleep(settleMs);
  const after = rssKiB(ready.pid);
  const exited = child.exitCode !== null || child.signalCode !== null;
  const result = {
    id: target.id,
    connections: count,
    opened: sockets.length,
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 3),
    serverExited: exited,
    rssBeforeKiB: before,
    rssOpenKiB: open,
    rssAfterCloseKiB: after,
    kibPerConnection: Number(((open - before) / Math.max(1, sockets.length)).toFixed(2)),
  };
  console.error(JSON.stringify(result));
  results.push(result);
  child.kill("SIGKILL");
  await sleep(500);
}

// Per runtime: ours against the raw echo, where both ran.
const goalKiB = 2;
const runtimes = ["bun", "deno", "deno-tcp", "node"].flatMap((runtime) => {
  const ours = results.find((r) => r.id === `webwire-${runtime}`);
  // Both Deno adapters against Deno's raw echo.
  const raw = results.find((r) => r.id === `raw-${runtime === "deno-tcp" ? "deno" : runtime}`);
  if (ours === undefined) return [];
  const aboveRaw = raw === undefined
    ? null
    : Number((ours.kibPerConnection - raw.kibPerConnection).toFixed(2));
  // The goal of #10 names Bun and Node; Deno is measured and reported without one.
  const hasGoal = !runtime.startsWith("deno") && aboveRaw !== null;
  return [{
    runtime,
    opened: ours.opened,
    errors: ours.errors + (raw?.errors ?? 0),
    oursKiB: ours.kibPerConnection,
    rawKiB: raw?.kibPerConnection ?? null,
    aboveRawKiB: aboveRaw,
    goal: hasGoal ? `at most ${goalKiB} KiB above raw` : null,
    met: hasGoal ? aboveRaw <= goalKiB : null,
  }];
});
console.log(JSON.stringify({ connections: count, quick, servers: results, runtimes }));
