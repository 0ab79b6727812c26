import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { formatReport, runVectors } from "./run_vectors.ts";
import { defaultVectorsDir, readManifest } from "./vector_files.ts";
import { type DecodeOutcome, type VectorCodec, webwireCodec } from "./webwire_codec.ts";
import type { Manifest } from "./manifest.ts";

function withDecode(name: string, change: (outcome: DecodeOutcome) => DecodeOutcome): VectorCodec {
  return {
    name,
    decode: (bytes) => change(webwireCodec.decode(bytes) as DecodeOutcome),
    reencode: webwireCodec.reencode,
  };
}

test("our codec passes every vector", async () => {
  const manifest = await readManifest();
  const report = await runVectors();
  const failures = report.results.filter((r) => r.problems.length > 0);
  assert.deepEqual(failures, []);
  assert.equal(report.passed, manifest.vectors.length);
  assert.ok(report.passed >= 200, `expected at least 200 vectors, got ${report.passed}`);
  assert.ok(formatReport(report).endsWith(`\n${report.passed} passed, 0 failed`));
});

test("a decoder that misreports one field fails exactly the vectors with that field", async () => {
  const broken = withDecode("wrong-minor", (o) => {
    if ("kind" in o && o.kind === "accept-conf") return { ...o, minor: (o.minor ?? 0) + 1 };
    return o;
  });
  const report = await runVectors({ codec: broken });
  assert.ok(report.failed > 0);
  const failing = report.results.filter((r) => r.problems.length > 0);
  const manifest = await readManifest();
  const acceptConfs = manifest.vectors.filter((v) => v.expect?.kind === "accept-conf");
  assert.equal(report.failed, acceptConfs.length);
  for (const result of failing) {
    assert.match(result.problems.join(), /^minor: expected \d+, got \d+$/);
  }
});

test("a decoder that misreads one payload byte is caught, also on 1 MiB vectors", async () => {
  const broken = withDecode("payload-off-by-one", (o) => {
    if (!("kind" in o) || o.payloadHex === undefined || o.payloadHex.length < 4) return o;
    return { ...o, payloadHex: o.payloadHex.slice(0, -2) + "00" };
  });
  const report = await runVectors({ codec: broken, filter: (v) => v.id.startsWith("generated/") });
  assert.equal(report.failed, 3);
});

test("accepting invalid vectors or giving the wrong reason fails", async () => {
  const acceptAll: VectorCodec = {
    name: "accept-all",
    decode: (bytes) => ({ type: bytes[0] ?? 0, kind: "heartbeat" }),
  };
  const manifest = await readManifest();
  const invalidCount = manifest.vectors.filter((v) => v.invalid !== undefined).length;
  const accepting = await runVectors({ codec: acceptAll, filter: (v) => v.invalid !== undefined });
  assert.equal(accepting.failed, invalidCount);

  const vague = withDecode("vague", (o) => ("invalid" in o ? { invalid: "malformed" } : o));
  assert.equal((await runVectors({ codec: vague })).failed, invalidCount);
  assert.equal((await runVectors({ codec: vague, requireReasons: false })).failed, 0);
});

test("a reason given as the manifest's { reason } object is shown as JSON, not [object Object]", async () => {
  const nested = withDecode(
    "nested",
    (o) => ("invalid" in o ? { invalid: { reason: o.invalid } } as unknown as DecodeOutcome : o),
  );
  const report = await runVectors({ codec: nested, filter: (v) => v.id === "heartbeat/len2" });
  assert.equal(report.failed, 1);
  assert.match(
    formatReport(report),
    /FAIL heartbeat\/len2: expected reason bad-length, got \{"reason":"bad-length"\} \(invalid must be the reason as a string\)/,
  );
});

test("a re-encoder that changes a byte fails the canonical vectors", async () => {
  const flipping: VectorCodec = {
    name: "flip",
    decode: webwireCodec.decode,
    reencode: (bytes) => {
      const out = webwireCodec.reencode!(bytes) as Uint8Array;
      out[out.length - 1] ^= 1;
      return out;
    },
  };
  const report = await runVectors({
    codec: flipping,
    filter: (v) => v.canonical === true || v.canonicalHex !== undefined,
  });
  assert.equal(report.failed, report.results.length);
  assert.match(report.results[0].problems[0], /^re-encoding: expected/);
});

test("a throwing decoder is reported, not fatal", async () => {
  const throwing: VectorCodec = {
    name: "throws",
    decode: () => {
      throw new TypeError("boom");
    },
  };
  const report = await runVectors({
    codec: throwing,
    filter: (v) => v.id.startsWith("heartbeat/"),
  });
  assert.equal(report.failed, 3);
  assert.match(report.results[0].problems[0], /decoder failed.*boom/);
});

test("a decoder that returns no object fails that vector, not the run", async () => {
  for (const value of [null, undefined, 7]) {
    const report = await runVectors({
      codec: { name: "returns-nothing", decode: () => value as unknown as DecodeOutcome },
      filter: (v) => v.id.startsWith("heartbeat/"),
    });
    assert.equal(report.failed, 3, String(value));
    assert.match(report.results[0].problems[0], /^decoder returned .* instead of an object/);
  }
});

test("hex fields compare case-insensitively, as the README tells implementers", async () => {
  const upper = withDecode("upper-hex", (o) => {
    const fields: Record<string, unknown> = { ...o };
    for (const key of Object.keys(fields)) {
      if (key.endsWith("Hex")) fields[key] = String(fields[key]).toUpperCase();
    }
    return fields as DecodeOutcome;
  });
  const report = await runVectors({ codec: upper });
  assert.deepEqual(report.results.filter((r) => r.problems.length > 0), []);
  const wrong = withDecode("wrong-hex", (o) => {
    if (!("kind" in o) || o.idHex === undefined) return o;
    return { ...o, idHex: `${o.idHex.slice(0, -1)}G` };
  });
  assert.ok((await runVectors({ codec: wrong })).failed > 0);
});

test("our codec keeps a leading U+FEFF in text fields", () => {
  const message = [0xef, 0xbb, 0xbf, 0x68, 0x69];
  const outcome = webwireCodec.decode(
    new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x45, ...message]),
  );
  assert.equal("kind" in outcome && outcome.errorMessage, "\ufeffhi");
});

function runScript(
  args: string[],
): { status: number | null; lastLine: string; stderr: string } {
  const script = fileURLToPath(new URL("./run_vectors.ts", import.meta.url));
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", script] : ["run", script];
  const result = spawnSync(process.execPath, [...runtimeArgs, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const lines = (result.stdout ?? "").trimEnd().split("\n");
  return { status: result.status, lastLine: lines[lines.length - 1], stderr: result.stderr };
}

test("the script ends with the summary line and exits 0, or 1 on a failure", async () => {
  const manifest = await readManifest();
  const ok = runScript([]);
  assert.equal(ok.lastLine, `${manifest.vectors.length} passed, 0 failed`);
  assert.equal(ok.status, 0);

  const dir = await mkdtemp(join(tmpdir(), "webwire-vectors-"));
  try {
    await cp(defaultVectorsDir(), dir, { recursive: true });
    const tampered = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
    const heartbeat = tampered.vectors.find((v) => v.id === "heartbeat/valid")!;
    heartbeat.expect = { type: 33, kind: "session-closed" };
    await writeFile(join(dir, "manifest.json"), JSON.stringify(tampered));
    const bad = runScript(["--vectors", dir]);
    assert.equal(bad.lastLine, `${manifest.vectors.length - 1} passed, 1 failed`);
    assert.equal(bad.status, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the script refuses arguments it does not know, rather than test its own codec", () => {
  for (const args of [["--decoder", "/bin/false"], ["--vector", "x"], ["--vectors"], ["x"]]) {
    const refused = runScript(args);
    assert.equal(refused.status, 2, args.join(" "));
    assert.equal(refused.lastLine, "", "no summary line");
    assert.match(refused.stderr, /^unknown arguments: .*\(usage: run_vectors\.ts/);
  }
});
