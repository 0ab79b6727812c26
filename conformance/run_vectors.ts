/**
 * Runs the WebWire v2 conformance vectors against a codec (by default this library's): each
 * valid vector must decode to the manifest's fields, each invalid one must be rejected with
 * its reason, and each canonical one must encode back to the same bytes.
 *
 * As a script (`deno run -A conformance/run_vectors.ts` or `bun run conformance/run_vectors.ts`)
 * it prints one line per failing vector, a summary per group, and as its last line
 * `N passed, N failed`; the exit code is 1 on any failure. `--vectors <dir>` runs another
 * vectors directory; any other argument is refused with exit code 2.
 *
 * @example
 * ```ts
 * import { runVectors } from "./run_vectors.ts";
 * const report = await runVectors();
 * console.assert(report.failed === 0 && report.passed >= 200);
 * ```
 * @module
 */

import process from "node:process";
import { patternBytes, toHex, type Vector, type VectorFields } from "./manifest.ts";
import { defaultVectorsDir, readManifest, vectorBytes } from "./vector_files.ts";
import { type DecodeOutcome, type VectorCodec, webwireCodec } from "./webwire_codec.ts";

/**
 * Options of {@link runVectors}.
 *
 * @example
 * ```ts
 * import type { RunVectorsOptions } from "./run_vectors.ts";
 * const options: RunVectorsOptions = { requireReasons: false };
 * console.assert(options.codec === undefined);
 * ```
 */
export interface RunVectorsOptions {
  /** The codec under test; default {@link webwireCodec}. */
  codec?: VectorCodec;
  /** The vectors directory; default the committed `conformance/vectors`. */
  vectorsDir?: string;
  /** Whether an invalid vector must be rejected with its exact reason; default true. */
  requireReasons?: boolean;
  /** Runs only the vectors this returns true for. */
  filter?: (vector: Vector) => boolean;
}

/**
 * The outcome of one vector: `problems` is empty when it passed.
 *
 * @example
 * ```ts
 * import type { VectorResult } from "./run_vectors.ts";
 * const r: VectorResult = { id: "heartbeat/valid", group: "heartbeat", problems: [] };
 * console.assert(r.problems.length === 0);
 * ```
 */
export interface VectorResult {
  /** The vector's id. */
  id: string;
  /** The part of the id before the first `/`. */
  group: string;
  /** What went wrong, one sentence each. */
  problems: string[];
}

/**
 * Totals of one group of vectors.
 *
 * @example
 * ```ts
 * import type { GroupSummary } from "./run_vectors.ts";
 * const g: GroupSummary = { group: "signal", passed: 3, failed: 0 };
 * console.assert(g.passed === 3);
 * ```
 */
export interface GroupSummary {
  /** Group name. */
  group: string;
  /** Vectors of the group that passed. */
  passed: number;
  /** Vectors of the group that failed. */
  failed: number;
}

/**
 * The result of a run.
 *
 * @example
 * ```ts
 * import type { VectorReport } from "./run_vectors.ts";
 * const r: VectorReport = { codec: "x", passed: 0, failed: 0, results: [], groups: [] };
 * console.assert(r.failed === 0);
 * ```
 */
export interface VectorReport {
  /** Name of the codec under test. */
  codec: string;
  /** Number of vectors that passed. */
  passed: number;
  /** Number of vectors that failed. */
  failed: number;
  /** One result per vector, in manifest order. */
  results: VectorResult[];
  /** Totals per group, in order of first appearance. */
  groups: GroupSummary[];
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...(${text.length} chars)` : text;
}

// The README asks implementers to compare `...Hex` fields as lowercase hex, so a decoder that
// prints uppercase digits is as right as one that prints lowercase.
function sameHex(got: unknown, want: unknown): boolean {
  return typeof got === "string" && typeof want === "string" &&
    got.toLowerCase() === want.toLowerCase();
}

function compareFields(expected: VectorFields, actual: VectorFields, problems: string[]): void {
  for (const [key, want] of Object.entries(expected)) {
    if (key === "payloadGenerated") {
      const got = actual.payloadHex;
      const generated = toHex(patternBytes(want));
      if (got !== generated && !sameHex(got, generated)) {
        problems.push(`payloadHex: expected the generated ${short(want)}, got ${short(got)}`);
      }
      continue;
    }
    const got = (actual as unknown as Record<string, unknown>)[key];
    if (got !== want && !(key.endsWith("Hex") && sameHex(got, want))) {
      problems.push(`${key}: expected ${short(want)}, got ${short(got)}`);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function checkVector(
  vector: Vector,
  codec: VectorCodec,
  dir: string,
  requireReasons: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  let bytes: Uint8Array;
  try {
    bytes = await vectorBytes(vector, dir);
  } catch (error) {
    return [`cannot read the vector: ${errorText(error)}`];
  }
  let outcome: DecodeOutcome;
  try {
    outcome = await codec.decode(bytes);
  } catch (error) {
    return [`decoder failed instead of reporting: ${errorText(error)}`];
  }
  if (typeof outcome !== "object" || outcome === null || Array.isArray(outcome)) {
    return [`decoder returned ${short(outcome)} instead of an object of fields or { invalid }`];
  }
  if (vector.invalid !== undefined) {
    if (!("invalid" in outcome)) {
      problems.push(`expected rejection (${vector.invalid.reason}), got a ${outcome.kind}`);
    } else if (requireReasons && outcome.invalid !== vector.invalid.reason) {
      problems.push(
        typeof outcome.invalid === "string"
          ? `expected reason ${vector.invalid.reason}, got ${outcome.invalid}`
          : `expected reason ${vector.invalid.reason}, got ${
            short(outcome.invalid)
          } (invalid must be the reason as a string)`,
      );
    }
    return problems;
  }
  if (vector.expect === undefined) return ["vector has neither expect nor invalid"];
  if ("invalid" in outcome) {
    return [`expected a ${vector.expect.kind}, rejected: ${outcome.invalid}`];
  }
  compareFields(vector.expect, outcome, problems);
  const target = vector.canonical === true ? toHex(bytes) : vector.canonicalHex;
  if (codec.reencode !== undefined && target !== undefined) {
    try {
      const again = toHex(await codec.reencode(bytes));
      if (again !== target) {
        problems.push(`re-encoding: expected ${short(target)}, got ${short(again)}`);
      }
    } catch (error) {
      problems.push(`re-encoding threw: ${errorText(error)}`);
    }
  }
  return problems;
}

/**
 * Runs every vector of the manifest against a codec.
 *
 * @example
 * ```ts
 * import { runVectors } from "./run_vectors.ts";
 * import { webwireCodec } from "./webwire_codec.ts";
 * const report = await runVectors({
 *   codec: { name: "accept-nothing", decode: () => ({ invalid: "empty" }) },
 *   filter: (v) => v.id.startsWith("heartbeat/"),
 * });
 * // All three heartbeat vectors fail: the valid one is rejected, the others with the wrong reason.
 * console.assert(report.failed === 3 && report.passed === 0 && webwireCodec.name === "webwire-ts");
 * ```
 */
export async function runVectors(options: RunVectorsOptions = {}): Promise<VectorReport> {
  const codec = options.codec ?? webwireCodec;
  const dir = options.vectorsDir ?? defaultVectorsDir();
  const requireReasons = options.requireReasons ?? true;
  const manifest = await readManifest(dir);
  const results: VectorResult[] = [];
  const groups = new Map<string, GroupSummary>();
  for (const vector of manifest.vectors) {
    if (options.filter !== undefined && !options.filter(vector)) continue;
    const group = vector.id.split("/")[0];
    const problems = await checkVector(vector, codec, dir, requireReasons);
    results.push({ id: vector.id, group, problems });
    const summary = groups.get(group) ?? { group, passed: 0, failed: 0 };
    if (problems.length === 0) summary.passed++;
    else summary.failed++;
    groups.set(group, summary);
  }
  const failed = results.filter((r) => r.problems.length > 0).length;
  return {
    codec: codec.name,
    passed: results.length - failed,
    failed,
    results,
    groups: [...groups.values()],
  };
}

/**
 * The report as printed by the script: failing vectors, group totals, and the last line
 * `N passed, N failed`.
 *
 * @example
 * ```ts
 * import { formatReport } from "./run_vectors.ts";
 * const text = formatReport({ codec: "x", passed: 2, failed: 0, results: [], groups: [] });
 * console.assert(text.endsWith("2 passed, 0 failed"));
 * ```
 */
export function formatReport(report: VectorReport): string {
  const lines: string[] = [];
  for (const result of report.results) {
    if (result.problems.length > 0) lines.push(`FAIL ${result.id}: ${result.problems.join("; ")}`);
  }
  lines.push(`conformance vectors, codec ${report.codec}:`);
  for (const g of report.groups) {
    lines.push(`  ${g.group.padEnd(14)} ${g.passed}/${g.passed + g.failed} ok`);
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join("\n");
}

/**
 * The script's arguments: nothing, or `--vectors <dir>`. Anything else is refused (a typo
 * would otherwise run the bundled vectors against this library's codec and pass).
 */
function scriptArgs(args: readonly string[]): { vectorsDir?: string } | string {
  if (args.length === 0) return {};
  if (args[0] === "--vectors" && args.length === 2 && !args[1].startsWith("--")) {
    return { vectorsDir: args[1] };
  }
  return `unknown arguments: ${args.join(" ")} (usage: run_vectors.ts [--vectors <dir>])`;
}

if (import.meta.main) {
  const args = scriptArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(args);
    process.exit(2);
  }
  const report = await runVectors(args);
  console.log(formatReport(report));
  if (report.failed > 0) process.exit(1);
}
