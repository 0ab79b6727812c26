// Runs bench/reliability/close_codes.ts under Deno, Bun and Node (bundled with esbuild, `ws`
// from node_modules) and prints their JSON lines.
// Usage: node bench/reliability/close_codes.mjs [trials]
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(root, "bench", "reliability", "close_codes.ts");
const trials = process.argv[2] ?? "10";
const outDir = join(root, "dist", "bench");
mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, "close_codes.mjs");
await build({
  entryPoints: [script],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  external: ["ws", "hono", "hono/*"],
});
const runs = [
  [join(root, "node_modules", ".bin", "deno"), ["run", "-A", script, trials]],
  [join(root, "node_modules", ".bin", "bun"), [script, trials]],
  [process.execPath, [bundle, trials]],
];
for (const [command, args] of runs) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", stdio: "pipe" });
  process.stdout.write(result.stdout);
  if (result.status !== 0) process.stderr.write(result.stderr);
}
