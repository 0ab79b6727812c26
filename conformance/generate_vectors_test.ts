import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { generateVectors, manifestJson } from "./generate_vectors.ts";
import { defaultVectorsDir } from "./vector_files.ts";
import { generatedBytes, toHex } from "./manifest.ts";
import { strictUtf8 } from "./generate_vectors/bytes.ts";

async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await storedFiles(path));
    else out.push(path);
  }
  return out;
}

test("the committed vectors are exactly what the generator produces", async () => {
  const dir = defaultVectorsDir();
  const { manifest, files } = generateVectors();
  assert.equal(await readFile(join(dir, "manifest.json"), "utf8"), manifestJson(manifest));
  const stored = (await storedFiles(dir)).map((p) => relative(dir, p).split("\\").join("/"));
  assert.deepEqual(stored.sort(), [...files.keys(), "manifest.json"].sort());
  for (const [path, bytes] of files) {
    assert.equal(toHex(new Uint8Array(await readFile(join(dir, path)))), toHex(bytes), path);
  }
});

test("the generator is deterministic", () => {
  const a = generateVectors();
  const b = generateVectors();
  assert.equal(manifestJson(a.manifest), manifestJson(b.manifest));
  assert.deepEqual([...a.files.keys()], [...b.files.keys()]);
});

/** Every file the generator is made of: its entry, its folder, and what they import. */
async function generatorSources(): Promise<Map<string, string>> {
  const folder = new URL("./generate_vectors/", import.meta.url);
  const pending = [new URL("./generate_vectors.ts", import.meta.url)];
  for (const name of await readdir(folder)) {
    if (name.endsWith(".ts")) pending.push(new URL(name, folder));
  }
  const sources = new Map<string, string>();
  for (let url = pending.pop(); url !== undefined; url = pending.pop()) {
    if (sources.has(url.href)) continue;
    const source = await readFile(url, "utf8");
    sources.set(url.href, source);
    for (const [, specifier] of source.matchAll(/^(?:import|export)[^"]*"(\.[^"]+)";/gm)) {
      pending.push(new URL(specifier, url));
    }
  }
  return sources;
}

test("the generator lays out bytes by hand, without the library's encoder", async () => {
  const sources = await generatorSources();
  const files = [...sources.keys()].map((href) => href.slice(href.indexOf("/conformance/") + 1));
  assert.ok(files.includes("conformance/generate_vectors/signal.ts"), files.join(", "));
  assert.ok(files.includes("conformance/manifest.ts"), files.join(", "));
  for (const [href, source] of sources) {
    assert.doesNotMatch(source, /(?:from|import) "[^"]*\/protocol\//, href);
    assert.ok(!href.includes("/protocol/"), href);
  }
});

test("the vectors cover what the issue asks for", () => {
  const { manifest } = generateVectors();
  const vectors = manifest.vectors;
  assert.ok(vectors.length >= 200);
  for (let type = 0; type < 256; type++) {
    const id = `type-bytes/type_${String(type).padStart(3, "0")}`;
    assert.ok(vectors.some((v) => v.id === id), id);
  }
  const reasons = new Set(vectors.map((v) => v.invalid?.reason).filter((r) => r !== undefined));
  assert.deepEqual(
    [...reasons].sort(),
    [
      "bad-length",
      "code-overflow",
      "empty",
      "empty-error-code",
      "name-overflow",
      "too-short",
      "unknown-type",
      "utf16-unaligned",
    ],
  );
  for (const kind of ["signal", "request"]) {
    for (const encoding of ["binary", "utf8", "utf16"]) {
      const lengths = new Set(
        vectors.filter((v) => v.expect?.kind === kind && v.expect.encoding === encoding)
          .map((v) => v.expect!.nameHex!.length / 2),
      );
      for (const n of [0, 1, 2, 254, 255]) assert.ok(lengths.has(n), `${kind} ${encoding} ${n}`);
    }
  }
  assert.ok(vectors.some((v) => v.canonical === false && v.canonicalHex !== undefined));
  assert.ok(vectors.some((v) => v.canonical === false && v.canonicalHex === undefined));
  assert.ok(vectors.some((v) => v.expect?.kind === "accept-conf" && v.expect.subProtocol === ""));
  assert.ok(vectors.some((v) => v.expect?.kind === "accept-conf" && v.expect.subProtocol !== ""));
  const big = vectors.filter((v) => v.generate !== undefined);
  assert.ok(big.some((v) => v.generate!.payload.length >= 1048576));
  for (const v of vectors) {
    assert.ok((v.file === undefined) !== (v.generate === undefined), v.id);
    assert.ok((v.expect === undefined) !== (v.invalid === undefined), v.id);
    assert.equal(v.canonical === undefined, v.expect === undefined, v.id);
  }
});

test("generate rules expand to prefix plus the i mod 251 payload", () => {
  const bytes = generatedBytes({
    prefixHex: "bf01",
    payload: { pattern: "i mod 251", length: 253 },
  });
  assert.equal(bytes.length, 255);
  assert.deepEqual([...bytes.subarray(0, 4)], [0xbf, 1, 0, 1]);
  assert.deepEqual([...bytes.subarray(252)], [250, 0, 1]);
});

test("text fields keep a leading U+FEFF, as the Go reference reads them", () => {
  assert.equal(strictUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])), "\ufeffhi");
});
