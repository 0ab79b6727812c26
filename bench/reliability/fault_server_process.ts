/**
 * The fault benchmarks' server (`bench/reliability/faults_server.ts`) as a child process on
 * Bun, Deno or Node (Node runs the bundle `bench/reliability/faults.mjs` builds first): started
 * on an ephemeral port, watched for an exit nobody asked for (a crash), its resident memory
 * read from `/proc/<pid>/status`, its `SLOW-READER` and `LOGGED` lines collected. Paths are
 * relative to the repository's root, which must be the working directory.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";

/** The runtimes a server runs on. */
/** `deno-tcp` is Deno with its TCP adapter (`serveDenoTcp`). */
export type Runtime = "bun" | "deno" | "deno-tcp" | "node";

/** The command line of the server on `runtime`, before its own arguments. */
export function serverCommand(runtime: Runtime): [string, string[]] {
  const script = "bench/reliability/faults_server.ts";
  switch (runtime) {
    case "bun":
      return ["node_modules/.bin/bun", [script]];
    case "deno":
      return ["node_modules/.bin/deno", ["run", "-A", script]];
    case "deno-tcp":
      return ["node_modules/.bin/deno", ["run", "-A", script, "--tcp"]];
    case "node":
      return [process.execPath, ["dist/bench/faults_server.mjs"]];
  }
}

/** A running server process. */
export interface FaultServer {
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The exit code or signal, once it has exited; `null` while it runs. */
  exit(): number | string | null;
  /** The wall-clock times (ms) of its `SLOW-READER` lines so far. */
  readonly slowReaderCloses: number[];
  /** Its `LOGGED` lines and any other output on stderr so far. */
  readonly errorLines: string[];
  /** Its resident memory now, in KiB (VmRSS). */
  rssKiB(): number;
  /** Kills it (SIGKILL) unless it has exited, and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the server on `runtime` with `args` and resolves once it listens. */
export async function startFaultServer(
  runtime: Runtime,
  args: string[] = [],
): Promise<FaultServer> {
  const [command, base] = serverCommand(runtime);
  const child = spawn(command, [...base, ...args, "--lifetime", "3600"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let exit: number | string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = code ?? signal ?? "unknown";
      resolve();
    })
  );
  const slowReaderCloses: number[] = [];
  const errorLines: string[] = [];
  let stderrRest = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    const lines = (stderrRest + chunk).split("\n");
    stderrRest = lines.pop()!;
    for (const line of lines) {
      if (line.trim() !== "" && errorLines.length < 1000) errorLines.push(line);
    }
  });
  child.stdout!.setEncoding("utf8");
  const ready = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    let rest = "";
    let announced = false;
    child.stdout!.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const match = /^READY ws:\/\/127\.0\.0\.1:(\d+)\/ (\d+)/.exec(line);
        if (match !== null && !announced) {
          announced = true;
          resolve({ port: Number(match[1]), pid: Number(match[2]) });
        }
        const slow = /^SLOW-READER ([\d.]+)/.exec(line);
        if (slow !== null) slowReaderCloses.push(Number(slow[1]));
      }
    });
    void exited.then(() =>
      reject(new Error(`the ${runtime} server exited with ${exit}: ${errorLines.join("\n")}`))
    );
  });
  return {
    url: `ws://127.0.0.1:${ready.port}/`,
    port: ready.port,
    pid: ready.pid,
    exit: () => exit,
    slowReaderCloses,
    errorLines,
    rssKiB: () => rssKiB(ready.pid),
    stop: async () => {
      if (exit === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The resident memory of process `pid` in KiB; NaN once it is gone. */
export function rssKiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line === undefined ? Number.NaN : Number(line.split(/\s+/)[1]);
  } catch {
    return Number.NaN;
  }
}
