/**
 * A {@link VectorCodec} that runs an outside decoder program once per vector:
 * `<command...> <path of the vector's bytes>`, which prints the decoded message as JSON in the
 * manifest's field names, or `{"invalid": "<reason>"}`. Stored vectors are passed by their own
 * path; generated ones are written to a temporary file first. The programs run ahead, several
 * at a time, so that a few hundred process starts take seconds, not minutes. A run that takes
 * longer than the timeout is killed with SIGKILL, together with what it started, and fails
 * only its own vector.
 *
 * @example
 * ```ts
 * import { parseDecoderOutput } from "./process_codec.ts";
 * const outcome = parseDecoderOutput('{"invalid":"empty"}\n');
 * console.assert("invalid" in outcome && outcome.invalid === "empty");
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { toHex, type Vector } from "../conformance/manifest.ts";
import { defaultVectorsDir, readManifest, vectorBytes } from "../conformance/vector_files.ts";
import { startFailureMessage } from "../conformance/start_failure.ts";
import type { DecodeOutcome, VectorCodec } from "../conformance/webwire_codec.ts";

/**
 * Reads what a decoder printed: one JSON object (fields or `invalid`).
 *
 * @throws {SyntaxError} when it is not a JSON object.
 * @example
 * ```ts
 * import { parseDecoderOutput } from "./process_codec.ts";
 * const outcome = parseDecoderOutput('{"type":33,"kind":"heartbeat"}');
 * console.assert("kind" in outcome && outcome.kind === "heartbeat");
 * ```
 */
export function parseDecoderOutput(stdout: string): DecodeOutcome {
  const printed = () => JSON.stringify(stdout.trim().slice(0, 80));
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new SyntaxError(
      `the decoder printed no JSON (${(error as Error).message}): ${printed()}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`expected a JSON object, the decoder printed ${printed()}`);
  }
  return value as DecodeOutcome;
}

/**
 * Options of {@link processCodec}.
 *
 * @example
 * ```ts
 * import type { ProcessCodecOptions } from "./process_codec.ts";
 * const options: ProcessCodecOptions = { command: ["./decoder"], concurrency: 2 };
 * console.assert(options.command[0] === "./decoder");
 * ```
 */
export interface ProcessCodecOptions {
  /** The decoder program and its arguments; the vector's path is appended. */
  command: readonly string[];
  /** The vectors directory; default the committed vectors. */
  vectorsDir?: string;
  /** Decoder processes at once; default the machine's parallelism (at least 2). */
  concurrency?: number;
  /** Decodes only the vectors this returns true for (others are decoded on demand). */
  filter?: (vector: Vector) => boolean;
  /** Aborting it kills the decoder runs still going and starts no more, as `dispose()` does. */
  signal?: AbortSignal;
  /**
   * Milliseconds one decoder run may take; default 30 000. A run that takes longer is killed
   * (SIGKILL, with what it started) and fails its vector.
   */
  timeout?: number;
  /**
   * The folder in which the codec makes its own temporary folder (for the bytes of generated
   * vectors and of `decode` calls without a file); default `os.tmpdir()`.
   */
  tempDir?: string;
}

/**
 * A codec backed by an outside decoder program, plus `dispose()` for its temporary files.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * import { processCodec, type ProcessCodec } from "./process_codec.ts";
 * // The test suite's decoder program; an outside implementation brings its own.
 * const decoder = fileURLToPath(new URL("../testing/json_decoder.ts", import.meta.url));
 * const codec: ProcessCodec = await processCodec({
 *   command: [process.execPath, "run", "-A", decoder],
 *   filter: () => false, // decode on demand only
 * });
 * const outcome = await codec.decode(new Uint8Array([33])); // one decoder run
 * console.assert("kind" in outcome && outcome.kind === "heartbeat");
 * await codec.dispose(); // removes the temporary file of those bytes
 * ```
 */
export interface ProcessCodec extends VectorCodec {
  /** Kills the decoder runs still going and removes the temporary files. */
  dispose(): Promise<void>;
}

/**
 * The decoder program could not be started at all (not found, not executable): one error for
 * the whole run instead of a failure per vector.
 *
 * @example
 * ```ts
 * import { DecoderStartError, processCodec } from "./process_codec.ts";
 * const error = await processCodec({ command: ["/no/such/decoder"] }).catch((e) => e);
 * console.assert(error instanceof DecoderStartError);
 * console.assert(error.message.startsWith('cannot start the decoder "/no/such/decoder"'));
 * ```
 */
export class DecoderStartError extends Error {
  /** Creates the error for `command`, with the system's reason (`ENOENT`, `EACCES`, ...). */
  constructor(command: readonly string[], reason: string) {
    super(startFailureMessage("decoder", command, reason));
    this.name = "DecoderStartError";
  }
}

const maxOutput = 64 * 1024 * 1024;
// A process group per decoder run (not on Windows, which has none), so that a kill reaches
// what the decoder started too.
const ownGroup = process.platform !== "win32";

/** Kills a decoder run: its whole process group where there is one, else the process. */
function killRun(child: ChildProcess): void {
  if (ownGroup && child.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGKILL");
      return;
    } catch {
      // The group is gone (every process of it has exited).
    }
  }
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/**
 * How long the output of a decoder that has exited may take to end: a process it started in a
 * session of its own (out of reach of the group kill) may hold the output open for ever.
 */
const outputGrace = 1000;

/**
 * Runs the decoder on one file and resolves with what it printed. A run that takes longer than
 * `timeout` ms is killed with SIGKILL (a SIGTERM can be ignored, and the run would never end)
 * and rejects, so that only its vector fails. When the decoder exits, what it left running in
 * its group is killed once; from then on nothing is sent to its process id (which the system
 * may give to another process), and its output is read for at most {@link outputGrace} ms more.
 */
function runDecoder(
  command: readonly string[],
  path: string,
  timeout: number,
  live: Set<ChildProcess>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), path], {
      detached: ownGroup,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let stderr = "";
    let failure: string | undefined;
    let exit: { code: number | null; signal: string | null } | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      live.delete(child);
      if (failure === undefined && exit?.code === 0) {
        return resolve(new TextDecoder().decode(Buffer.concat(chunks)));
      }
      const why = failure ??
        (exit?.code != null ? `exit code ${exit.code}` : `killed by ${exit?.signal}`);
      const detail = stderr.trim().split("\n").slice(-2).join(" | ");
      reject(new Error(`decoder failed on ${path}: ${why}${detail === "" ? "" : ` ${detail}`}`));
    };
    /** Ends the output streams, whoever holds them open: `close` follows. */
    const dropOutput = () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
    };
    const stop = (why: string) => {
      failure ??= why;
      if (exit === undefined) killRun(child);
      else dropOutput();
    };
    const timer = setTimeout(() => stop(`no answer within ${timeout} ms, killed`), timeout);
    let grace: ReturnType<typeof setTimeout> | undefined;
    child.stdout!.on("data", (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > maxOutput) stop(`printed more than ${maxOutput} bytes, killed`);
      else chunks.push(chunk);
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => stderr = (stderr + chunk).slice(-4096));
    child.once("exit", (code, signal) => {
      killRun(child); // what it left in its group; the last use of its process id
      exit = { code, signal };
      live.delete(child);
      grace = setTimeout(dropOutput, outputGrace);
    });
    child.once("error", (error) => {
      settled = true;
      clearTimeout(timer);
      live.delete(child);
      // A spawn failure has a system error code (a string).
      const code = (error as { code?: unknown }).code;
      reject(typeof code === "string" ? new DecoderStartError(command, code) : error);
    });
    child.once("close", (code, signal) => {
      exit ??= { code, signal };
      settle();
    });
  });
}

/**
 * Builds the codec: starts the decoder on every vector of the manifest (a limited number at
 * once) and answers `decode(bytes)` with the outcome for those bytes; bytes that are in no
 * vector are decoded on demand.
 *
 * @throws {DecoderStartError} when the decoder program cannot be started at all.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 * import { processCodec } from "./process_codec.ts";
 * const decoder = fileURLToPath(new URL("../testing/json_decoder.ts", import.meta.url));
 * // Starts the decoder on the three heartbeat vectors at once, ahead of the runner's calls.
 * const codec = await processCodec({
 *   command: [process.execPath, "run", "-A", decoder],
 *   filter: (vector) => vector.id.startsWith("heartbeat/"),
 * });
 * const outcome = await codec.decode(new Uint8Array([33, 0])); // heartbeat/len2, decoded already
 * console.assert("invalid" in outcome && outcome.invalid === "bad-length");
 * await codec.dispose();
 * ```
 */
export async function processCodec(options: ProcessCodecOptions): Promise<ProcessCodec> {
  const dir = options.vectorsDir ?? defaultVectorsDir();
  const timeout = options.timeout ?? 30_000;
  const concurrency = Math.max(2, options.concurrency ?? availableParallelism());
  options.signal?.throwIfAborted();
  const manifest = await readManifest(dir);
  const temp = await mkdtemp(join(options.tempDir ?? tmpdir(), "webwire-vectors-"));
  const live = new Set<ChildProcess>();
  // Decoder runs have process groups of their own, which a Ctrl-C at the terminal does not
  // reach: whatever still runs is killed when this process exits, and by dispose().
  const cleanUp = () => {
    for (const child of live) killRun(child);
    rmSync(temp, { recursive: true, force: true });
  };
  process.on("exit", cleanUp);
  let disposed = false;
  // One removal for every caller: a second rm of the same folder can resolve on Bun while the
  // first still deletes its files, which would tell the CLI it is clean too early.
  let removal: Promise<void> | undefined;
  const dispose = () => {
    disposed = true;
    process.off("exit", cleanUp);
    options.signal?.removeEventListener("abort", onAbort);
    for (const child of live) killRun(child);
    return removal ??= rm(temp, { recursive: true, force: true });
  };
  const onAbort = () => void dispose();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let running = 0;
  const queue: (() => void)[] = [];
  const limited = async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
  let tempCount = 0;
  const decodeAt = (path: string) =>
    limited(() =>
      disposed
        ? Promise.reject(new Error(`decoder not run on ${path}: the codec is disposed`))
        : runDecoder(options.command, path, timeout, live)
    ).then(parseDecoderOutput);
  const decodeBytes = async (bytes: Uint8Array) => {
    const path = join(temp, `vector_${tempCount++}.bin`);
    await writeFile(path, bytes);
    return decodeAt(path);
  };
  const outcomes = new Map<string, Promise<DecodeOutcome>>();
  try {
    for (const vector of manifest.vectors) {
      if (options.filter !== undefined && !options.filter(vector)) continue;
      const bytes = await vectorBytes(vector, dir);
      const key = toHex(bytes);
      if (outcomes.has(key)) continue;
      const outcome = vector.file !== undefined
        ? decodeAt(join(dir, vector.file))
        : decodeBytes(bytes);
      // Failures are reported when the runner asks for this outcome, not here.
      outcome.catch(() => {});
      outcomes.set(key, outcome);
    }
    // A decoder that cannot start fails here, once, rather than once per vector.
    await outcomes.values().next().value?.catch((error: unknown) => {
      if (error instanceof DecoderStartError) throw error;
    });
  } catch (error) {
    // Nobody could dispose of what was started: the decoder runs, the exit hook, the files.
    await dispose();
    throw error;
  }
  return {
    name: options.command.join(" "),
    decode: (bytes) => outcomes.get(toHex(bytes)) ?? decodeBytes(bytes),
    dispose,
  };
}
