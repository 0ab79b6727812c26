/**
 * Builds the WebWire v2 conformance vectors and their manifest. Every message is laid out byte
 * by byte, from the wire layouts in `PROTOCOL.md`, and never with the library's encoder: the
 * vectors are an independent check of the codec. The output is deterministic. Each message
 * family (one group of `vectors/`) is built by its own file in `generate_vectors/`; this file
 * puts them together in a fixed order and writes them out.
 *
 * Run `deno run -A conformance/generate_vectors.ts` to rewrite `conformance/vectors/`.
 *
 * @example
 * ```ts
 * import { generateVectors } from "./generate_vectors.ts";
 * const { manifest, files } = generateVectors();
 * console.assert(manifest.vectors.length >= 200 && files.has("heartbeat/valid.bin"));
 * ```
 * @module
 */

import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Manifest } from "./manifest.ts";
import { defaultVectorsDir } from "./vector_files.ts";
import { addAcceptConfVectors } from "./generate_vectors/accept_conf.ts";
import { addErrorReplyVectors } from "./generate_vectors/error_reply.ts";
import { addGeneratedVectors } from "./generate_vectors/generated.ts";
import { addHeartbeatVectors } from "./generate_vectors/heartbeat.ts";
import { addReplyVectors } from "./generate_vectors/reply.ts";
import { addRequestVectors } from "./generate_vectors/request.ts";
import { addSessionVectors } from "./generate_vectors/session.ts";
import { addSignalVectors } from "./generate_vectors/signal.ts";
import { addSpecialReplyVectors } from "./generate_vectors/special_reply.ts";
import { addTypeByteVectors } from "./generate_vectors/type_bytes.ts";
import { VectorSet } from "./generate_vectors/vector_set.ts";

/**
 * The manifest and the bytes of every stored vector, keyed by path relative to the vectors
 * directory.
 *
 * @example
 * ```ts
 * import type { GeneratedVectors } from "./generate_vectors.ts";
 * const g: GeneratedVectors = {
 *   manifest: { protocol: "webwire-v2", formatVersion: 1, vectors: [] },
 *   files: new Map(),
 * };
 * console.assert(g.files.size === 0);
 * ```
 */
export interface GeneratedVectors {
  /** The manifest, serialised by {@link manifestJson}. */
  manifest: Manifest;
  /** Vector file bytes by relative path (`group/slug.bin`). */
  files: Map<string, Uint8Array>;
}

/**
 * Builds every vector. Generated vectors carry their payload as a pattern in the manifest, not
 * as hex.
 *
 * @example
 * ```ts
 * import { generateVectors } from "./generate_vectors.ts";
 * const { manifest } = generateVectors();
 * console.assert(manifest.vectors.some((v) => v.invalid?.reason === "unknown-type"));
 * ```
 */
export function generateVectors(): GeneratedVectors {
  const set = new VectorSet();
  // The order is the manifest's order: changing it changes the committed manifest.
  addTypeByteVectors(set);
  addSignalVectors(set);
  addRequestVectors(set);
  addReplyVectors(set);
  addErrorReplyVectors(set);
  addSpecialReplyVectors(set);
  addSessionVectors(set);
  addHeartbeatVectors(set);
  addAcceptConfVectors(set);
  addGeneratedVectors(set);
  return {
    manifest: { protocol: "webwire-v2", formatVersion: 1, vectors: set.vectors },
    files: set.files,
  };
}

/**
 * The manifest as stored: two-space indented JSON with a final newline.
 *
 * @example
 * ```ts
 * import { manifestJson } from "./generate_vectors.ts";
 * const text = manifestJson({ protocol: "webwire-v2", formatVersion: 1, vectors: [] });
 * console.assert(text.endsWith("\n"));
 * ```
 */
export function manifestJson(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + "\n";
}

/**
 * Replaces the contents of `dir` with freshly generated vectors and `manifest.json`.
 *
 * @example
 * ```ts ignore
 * import { writeVectors } from "./generate_vectors.ts";
 * await writeVectors("/tmp/vectors");
 * ```
 */
export async function writeVectors(dir: string = defaultVectorsDir()): Promise<number> {
  const { manifest, files } = generateVectors();
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true });
  for (const [path, bytes] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  await writeFile(join(dir, "manifest.json"), manifestJson(manifest));
  return manifest.vectors.length;
}

if (import.meta.main) {
  const count = await writeVectors();
  console.log(`wrote ${count} vectors to ${defaultVectorsDir()}`);
}
