// The deno-socket suite of bench/run.mjs: runs bench/deno_socket/measure.ts in Deno and turns
// its results into the README section: per pattern, our Client's milliseconds per round trip
// over Deno's own WebSocket and over DenoWebSocket, the median of the rounds' median windows.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { bin, median, root } from "../bench_support.mjs";

/** DenoWebSocket is not to be slower than Deno's own socket where that one has no stall. */
const goal = 1.15;
/** Any round trip over it above this would be a stall (the delayed acknowledgement: ~40 ms). */
const stallMs = 1;

function cpuModel() {
  const line = readFileSync("/proc/cpuinfo", "utf8").split("\n")
    .find((l) => l.startsWith("model name"));
  return line ? line.slice(line.indexOf(":") + 1).trim() : cpus()[0]?.model ?? "unknown CPU";
}

function measure(quick) {
  console.error(`deno run -A bench/deno_socket/measure.ts${quick ? " --quick" : " (about 1 min)"}`);
  const result = spawnSync(
    bin("deno"),
    ["run", "-A", "bench/deno_socket/measure.ts", ...(quick ? ["--quick"] : [])],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 10 * 60_000 },
  );
  if (result.status !== 0) throw new Error(`the deno-socket bench failed (${result.status})`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

const ms = (x) => x < 1 ? x.toFixed(3) : x.toFixed(1);

function markdown(doc) {
  const of = (socket, pattern) =>
    doc.results.find((r) => r.socket === socket && r.pattern === pattern).rounds;
  const patterns = [...new Set(doc.results.map((r) => r.pattern))];
  const lines = [
    "| pattern | Deno's `WebSocket`, ms (rounds) | `DenoWebSocket`, ms (rounds) | Deno's / ours |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const pattern of patterns) {
    const deno = of("Deno's WebSocket", pattern);
    const ours = of("DenoWebSocket", pattern);
    lines.push(
      `| ${pattern} | ${ms(median(deno))} (${deno.map(ms).join(", ")}) | ` +
        `${ms(median(ours))} (${ours.map(ms).join(", ")}) | ${
          (median(deno) / median(ours)).toFixed(1)
        }× |`,
    );
  }
  const base = patterns[0];
  const ratio = median(of("DenoWebSocket", base)) / median(of("Deno's WebSocket", base));
  const worst = Math.max(...patterns.map((p) => median(of("DenoWebSocket", p))));
  return `Measured on ${doc.date} by \`node bench/run.mjs --deno-socket\` on ${doc.cpu} (${doc.cores}
cores, shared with other jobs) with Deno ${doc.deno}. Our \`Client\` in Deno, one request after
another, over Deno's own \`WebSocket\` and over \`DenoWebSocket\`
(\`@webwire/webwire/adapters/deno-websocket\`), against the client benchmark's reply server
(\`bench/client/reply_server.ts\` on Bun). Each cell is milliseconds per round trip: the median over
${doc.rounds} rounds of each round's median of ${doc.windows} windows of ${doc.count} round trips,
the two sockets' windows alternating. Targets: \`DenoWebSocket\` at most ${goal}× Deno's own socket
for the 16-byte request, where Deno's has no stall: ${ratio.toFixed(2)}×, ${
    ratio <= goal ? "met" : "**not met**"
  }; no pattern over ${stallMs} ms (no wait for a delayed acknowledgement): at most ${
    ms(worst)
  } ms, ${worst <= stallMs ? "met" : "**not met**"}.

${lines.join("\n")}

Deno's own client socket leaves Nagle's algorithm on: a 2 KiB request is written as two segments
(header, then payload) and a signal followed by a request as two, and the second segment waits for
the server's delayed acknowledgement, about 40 ms on Linux. \`DenoWebSocket\` switches Nagle off and
writes each frame in one write. Raw results: \`bench/results/deno-socket.json\`.`;
}

/** Runs the suite; returns the README section and the raw results. */
export function denoSocket() {
  const quick = process.argv.includes("--quick");
  const result = measure(quick);
  const doc = {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpuModel(),
    cores: cpus().length,
    ...result,
  };
  return { json: doc, markdown: markdown(doc) };
}
