// Test suites that need the machine's Node, which cannot run TypeScript itself: each suite is
// bundled with esbuild into dist/extra_suites/ and run with `node --test`. Prints its progress
// and, as its last line, `N passed, N failed` summed over the suites; exits non-zero on failure.
// Usage: node scripts/extra_suites.mjs
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Run by Deno or Bun (as by a stray `deno test` of scripts/), use the machine's Node anyway.
const node = "Deno" in globalThis || "Bun" in globalThis ? "node" : process.execPath;
// Inside the repository, so that an external `ws` resolves from node_modules.
const outDir = join(root, "dist", "extra_suites");

// The Node adapter's test (its client is `ws`'s WebSocket), with `ws` left to node_modules (how a
// Node app usually runs) and bundled in (how a single-file deployment runs).
const suites = [
  { label: "node adapter (ws from node_modules)", entry: "adapters/node_test.ts", bundleWs: false },
  { label: "node adapter (ws bundled)", entry: "adapters/node_test.ts", bundleWs: true },
  // The Node adapter's own framing, over TCP and TLS.
  { label: "node adapter framing", entry: "adapters/node_framing_test.ts", bundleWs: false },
  // A ping deferred behind a backlog on sockets with a large `highWaterMark`.
  {
    label: "node adapter deferred pong",
    entry: "adapters/node_deferred_pong_test.ts",
    bundleWs: false,
  },
  // The Host header, and a refusal that reaches a client still sending.
  {
    label: "node adapter host header",
    entry: "adapters/node_host_header_test.ts",
    bundleWs: false,
  },
  {
    label: "node adapter refusal linger",
    entry: "adapters/node_refusal_linger_test.ts",
    bundleWs: false,
  },
  // Its fallback (pages, event streams) and the URL its hooks see.
  { label: "node adapter fallback", entry: "adapters/node_fallback_test.ts", bundleWs: false },
  { label: "node unread bodies", entry: "adapters/node_unread_body_test.ts", bundleWs: false },
  {
    label: "node partly read bodies",
    entry: "adapters/node_partial_body_test.ts",
    bundleWs: false,
  },
  // The handshake refusals of every adapter that runs on Node.
  {
    label: "handshake refusals on Node",
    entry: "adapters/handshake_refusal_test.ts",
    bundleWs: false,
  },
  { label: "client on Node with ws", entry: "client/client_node_test.ts", bundleWs: false },
  // The CLI's client on Node 20, which has no global WebSocket: it loads `ws`.
  { label: "CLI client on Node", entry: "cli/cli_node_test.ts", bundleWs: false },
  // A request made while ws keeps the socket closing: held for the next connection.
  {
    label: "client on Node, a closing socket",
    entry: "client/client_closing_socket_test.ts",
    bundleWs: false,
  },
  // serveNode's path and fallback.
  { label: "serve paths on Node", entry: "adapters/serve_path_test.ts", bundleWs: false },
  // serveNode's answer to upgrades off its path: routing, streaming, close, a throwing fallback.
  {
    label: "upgrades off the path on Node",
    entry: "adapters/upgrade_off_endpoint_test.ts",
    bundleWs: false,
  },
  // A shutdown that begins while serveNode upgrades: the late socket's close deadline.
  {
    label: "shutdown during an upgrade on Node",
    entry: "server/shutdown_upgrade_race_test.ts",
    bundleWs: false,
  },
  // serveNode's answer to a fallback body that fails before its first byte, or later.
  {
    label: "failing fallback bodies on Node",
    entry: "adapters/fallback_body_failure_test.ts",
    bundleWs: false,
  },
  // The Hono adapter on Node: @hono/node-server and @hono/node-ws from node_modules.
  ...[
    "adapters/hono_node_test.ts",
    "adapters/hono_node_target_test.ts",
    "adapters/hono_middleware_request_test.ts",
    "adapters/hono_route_hook_test.ts",
  ].map((entry) => ({
    label: "Hono on Node (@hono/node-ws)",
    entry,
    bundleWs: false,
    external: ["ws", "hono", "@hono/node-server", "@hono/node-ws"],
  })),
  // The Redis engine on Node, with ioredis from node_modules (a redis-server of its own).
  ...["redis/redis_client_test.ts", "redis/redis_session_manager_test.ts"].map((entry) => ({
    label: "Redis on Node (ioredis from node_modules)",
    entry,
    bundleWs: false,
    external: ["ws", "ioredis"],
  })),
];

let passed = 0;
let failed = 0;
const failures = [];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

for (const [index, suite] of suites.entries()) {
  console.log(`\n=== ${suite.label}: ${suite.entry}`);
  const outfile = join(outDir, `suite_${index}.mjs`);
  try {
    await build({
      entryPoints: [join(root, suite.entry)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning",
      external: suite.external ??
        (suite.bundleWs ? ["bufferutil", "utf-8-validate"] : ["ws"]),
      // Bundled CommonJS (ws) calls require() for Node's built-in modules.
      banner: suite.bundleWs
        ? {
          js: 'import { createRequire as __createRequire } from "node:module";\n' +
            "const require = __createRequire(import.meta.url);",
        }
        : undefined,
    });
  } catch (error) {
    console.log(`build failed: ${error.message}`);
    failed++;
    failures.push(`${suite.label} (build)`);
    continue;
  }
  const result = spawnSync(node, ["--test", "--test-reporter=tap", outfile], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  process.stdout.write(output);
  const count = (name) => {
    const matches = [...output.matchAll(new RegExp(`^# ${name} (\\d+)$`, "gm"))];
    return matches.length === 0 ? null : Number(matches[matches.length - 1][1]);
  };
  const suitePassed = count("pass");
  const suiteFailed = count("fail");
  if (suitePassed === null || suiteFailed === null) {
    console.log(`(${suite.label}: no summary${result.error ? `: ${result.error.message}` : ""})`);
    failed++;
    failures.push(`${suite.label} (no summary)`);
    continue;
  }
  passed += suitePassed;
  failed += suiteFailed;
  if (suiteFailed > 0) failures.push(`${suite.label} (${suiteFailed} failed)`);
  else if (result.status !== 0) {
    failed++;
    failures.push(`${suite.label} (exit code ${result.status})`);
  }
}

console.log("");
if (failures.length > 0) console.log(`failed: ${failures.join("; ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
