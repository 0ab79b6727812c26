/**
 * `webwire conformance vectors|server|client`: the three conformance suites from the command
 * line.
 *
 * @example
 * ```ts
 * import { conformanceCommand } from "./conformance.ts";
 * console.assert(conformanceCommand.help.includes("vectors"));
 * ```
 * @module
 */

import {
  clientCheckList,
  formatClientCheckResult,
  runClientSuite,
} from "../conformance/client_suite.ts";
import type { Manifest, Vector } from "../conformance/manifest.ts";
import { formatReport, runVectors, type VectorReport } from "../conformance/run_vectors.ts";
import { defaultVectorsDir, readManifest } from "../conformance/vector_files.ts";
import { parseSuiteArguments } from "../conformance/run_server_suite.ts";
import {
  formatResult,
  runServerSuite,
  ServerUnreachableError,
} from "../conformance/server_suite.ts";
import { webwireCodec } from "../conformance/webwire_codec.ts";
import { ClientStartError } from "../conformance/client_suite_process.ts";
import { parseClientSuiteArgs } from "../conformance/run_client_suite.ts";
import { onStopSignals } from "../conformance/stop_signals.ts";
import { integerOption, parseCommandArgs, stringOption } from "./args.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode, exitCodesHelp } from "./exit_codes.ts";
import { DecoderStartError, type ProcessCodec, processCodec } from "./process_codec.ts";

const help = `usage: webwire conformance <suite> [options]

Suites:
  vectors [--decoder "<command>" [--decoder-timeout MS]] [--vectors DIR] [--only GROUP|ID,...]
          [--any-reason]
      Runs the conformance vectors (conformance/vectors). Without --decoder against this
      library's codec. With --decoder, for each vector runs <command> <vector file>, which
      must print the decoded message as JSON in the manifest's field names, or
      {"invalid": "<reason>"}; the command is split at spaces. A run that takes longer than
      --decoder-timeout (default 30000) is killed, with what it started, and fails its
      vector. --any-reason accepts any rejection reason for invalid vectors; --only runs the
      named groups (such as heartbeat, accept-conf, generated) or vector ids.
  server <url> [--timeout MS] [--only a,b] [--verbose]
      Runs the live server suite against a server that implements the conformance service
      (start ours with: webwire serve).
  client [--only a,b] [--] <command...>
      Runs the live client suite: starts <command...> <scenario URL> once per check (the
      client-under-test protocol is in conformance/README.md); a command that cannot be
      started at all (not found, not executable) is bad usage. Checks:
${clientCheckList.map((check) => `        ${check.name}`).join("\n")}

Each prints one line per failure (vectors) or per check, then "N passed, N failed".
Ctrl-C, SIGTERM or SIGHUP stops the server or client suite, or vectors with --decoder,
once the clients or decoders it started are stopped and its connections closed: exit 1,
"interrupted".

${exitCodesHelp}`;

async function vectors(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {
    decoder: { type: "string" },
    "decoder-timeout": { type: "string" },
    vectors: { type: "string" },
    "any-reason": { type: "boolean" },
    only: { type: "string" },
  });
  if (parsed.positionals.length > 0) {
    throw new CliError(ExitCode.Usage, `unexpected argument "${parsed.positionals[0]}"`);
  }
  const vectorsDir = stringOption(parsed, "vectors");
  if (vectorsDir === undefined && new URL(import.meta.url).protocol !== "file:") {
    // The published package leaves the vector files out.
    throw new CliError(
      ExitCode.Usage,
      "the vectors are not part of the published package: pass --vectors DIR (conformance/vectors of a checkout)",
    );
  }
  const decoder = stringOption(parsed, "decoder")?.trim().split(/\s+/).filter((p) => p !== "");
  if (decoder !== undefined && decoder.length === 0) {
    throw new CliError(ExitCode.Usage, "--decoder needs a command");
  }
  const timeout = integerOption(parsed, "decoder-timeout", 30_000, 1, 2 ** 31 - 1);
  if (decoder === undefined && parsed.values["decoder-timeout"] !== undefined) {
    throw new CliError(ExitCode.Usage, "--decoder-timeout needs --decoder");
  }
  const manifest = await manifestAt(vectorsDir);
  const only = stringOption(parsed, "only")?.split(",").filter((name) => name !== "");
  if (only !== undefined) checkVectorNames(only, manifest);
  const filter = only === undefined
    ? undefined
    : (vector: Vector) => only.includes(vector.id) || only.includes(vector.id.split("/")[0]);
  const requireReasons = parsed.values["any-reason"] !== true;
  if (decoder === undefined) {
    return reported(await runVectors({ codec: webwireCodec, vectorsDir, filter, requireReasons }));
  }
  // The decoder runs have process groups of their own, which a Ctrl-C at the terminal does not
  // reach: on SIGINT, SIGTERM or SIGHUP the run stops and the codec kills them.
  const interrupt = new AbortController();
  const interrupted = new Promise<never>((_, reject) => {
    interrupt.signal.addEventListener("abort", () => reject(interruptedError()), { once: true });
  });
  interrupted.catch(() => {});
  const stopListening = onStopSignals(() => interrupt.abort());
  let codec: ProcessCodec | undefined;
  try {
    codec = await processCodec({
      command: decoder,
      vectorsDir,
      filter,
      timeout,
      signal: interrupt.signal,
    }).catch((error) => {
      if (error instanceof DecoderStartError) throw new CliError(ExitCode.Usage, error.message);
      throw error;
    });
    if (interrupt.signal.aborted) throw interruptedError();
    const run = runVectors({ codec, vectorsDir, filter, requireReasons });
    return reported(await Promise.race([run, interrupted]));
  } finally {
    // The handlers go last: a terminal's Ctrl-C comes twice through npm's launcher (to the
    // process group, and forwarded), and without a handler the second one would kill the CLI
    // while it cleans up (exit 130 instead of 1).
    try {
      await codec?.dispose();
    } finally {
      stopListening();
    }
  }
}

function interruptedError(): CliError {
  return new CliError(ExitCode.Failure, "interrupted");
}

/** Prints the report; its exit code. */
function reported(report: VectorReport): number {
  console.log(formatReport(report));
  return report.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
}

/** The manifest of the vectors directory, or a usage error in one line. */
async function manifestAt(dir: string | undefined): Promise<Manifest> {
  try {
    return await readManifest(dir);
  } catch (error) {
    const where = dir ?? defaultVectorsDir();
    const reason = (error as Error).message.split("\n")[0];
    throw new CliError(ExitCode.Usage, `cannot read the vectors in ${where}: ${reason}`);
  }
}

/** Refuses --only names that are neither a group nor a vector id of the manifest. */
function checkVectorNames(names: readonly string[], manifest: Manifest): void {
  if (names.length === 0) throw new CliError(ExitCode.Usage, "--only needs group names or ids");
  const ids = new Set(manifest.vectors.map((vector) => vector.id));
  const groups = [...new Set(manifest.vectors.map((vector) => vector.id.split("/")[0]))];
  const unknown = names.filter((name) => !ids.has(name) && !groups.includes(name));
  if (unknown.length > 0) {
    throw new CliError(
      ExitCode.Usage,
      `no vector group or id ${unknown.map((name) => `"${name}"`).join(", ")} (groups: ${
        groups.join(", ")
      })`,
    );
  }
}

const serverUsage =
  "usage: webwire conformance server <ws://host:port/path> [--timeout MS] [--only a,b] [--verbose]";

async function server(args: readonly string[]): Promise<number> {
  const parsed = parseSuiteArguments(args);
  if (typeof parsed === "string") {
    // The suite's parser ends its messages with the usage of its own script: ours instead.
    const problem = parsed.split("\n").filter((line) => !line.startsWith("usage:")).join(" ");
    const message = problem === "" ? "expected the URL of a server to test" : problem;
    throw new CliError(ExitCode.Usage, `${message}\n${serverUsage}`);
  }
  // As the client suite: on SIGINT, SIGTERM or SIGHUP the run stops, and closes the connections
  // of the check running (the server under test sees them closed, not dropped); it ends
  // "interrupted".
  const interrupt = new AbortController();
  const stopListening = onStopSignals(() => interrupt.abort(interruptedError()));
  try {
    const report = await runServerSuite(parsed.url, {
      ...parsed.options,
      signal: interrupt.signal,
      onResult: (result) => console.log(formatResult(result, parsed.verbose)),
    });
    console.log(`${report.passed} passed, ${report.failed} failed`);
    return report.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
  } catch (error) {
    if (error instanceof ServerUnreachableError) {
      throw new CliError(ExitCode.Unreachable, error.message);
    }
    if (error instanceof RangeError) throw new CliError(ExitCode.Usage, error.message);
    throw error;
  } finally {
    stopListening();
  }
}

async function client(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseClientSuiteArgs(args);
  } catch (error) {
    throw new CliError(ExitCode.Usage, (error as Error).message);
  }
  // The clients run in process groups of their own, which a Ctrl-C at the terminal does not
  // reach: on SIGINT, SIGTERM or SIGHUP the suite stops them; the run ends "interrupted".
  const interrupt = new AbortController();
  const stopListening = onStopSignals(() => interrupt.abort(interruptedError()));
  try {
    const report = await runClientSuite({
      ...options,
      signal: interrupt.signal,
      onResult: (result) => console.log(formatClientCheckResult(result)),
    });
    console.log(`${report.passed} passed, ${report.failed} failed`);
    return report.failed > 0 ? ExitCode.Failure : ExitCode.Ok;
  } catch (error) {
    // A client that cannot be started is a wrong command, as a missing --decoder is.
    if (error instanceof RangeError || error instanceof ClientStartError) {
      throw new CliError(ExitCode.Usage, error.message);
    }
    throw error;
  } finally {
    stopListening();
  }
}

/**
 * The `conformance` command.
 *
 * @example
 * ```ts
 * import { conformanceCommand } from "./conformance.ts";
 * console.assert(conformanceCommand.name === "conformance");
 * ```
 */
export const conformanceCommand: Command = {
  name: "conformance",
  summary: "run the conformance vectors, or the live server or client suite",
  help,
  run(args) {
    const [suite, ...rest] = args;
    if (suite === undefined) {
      console.error(help); // no suite is bad usage: the help goes to stderr
      return Promise.resolve(ExitCode.Usage);
    }
    if (isHelp(suite) || asksForHelp(suite, rest)) {
      console.log(help);
      return Promise.resolve(ExitCode.Ok);
    }
    if (suite === "vectors") return vectors(rest);
    if (suite === "server") return server(rest);
    if (suite === "client") return client(rest);
    throw new CliError(
      ExitCode.Usage,
      `unknown suite "${suite}": expected vectors, server or client`,
    );
  },
};

const isHelp = (arg: string) => arg === "--help" || arg === "-h";

/**
 * Whether a suite's arguments ask for help: `--help` or `-h` among its options, which end at
 * `--` and, for `client`, at the client's command (its first argument that is no `--only`).
 */
function asksForHelp(suite: string, rest: readonly string[]): boolean {
  if (suite !== "client") {
    const end = rest.indexOf("--");
    return (end === -1 ? rest : rest.slice(0, end)).some(isHelp);
  }
  for (let i = 0; i < rest.length; i++) {
    if (isHelp(rest[i])) return true;
    if (rest[i] === "--only") i++; // its value
    else if (!rest[i].startsWith("--only=")) return false;
  }
  return false;
}
