/**
 * Reading the stored vectors: where they live, the manifest, and the bytes of one vector
 * (read from its file or built from its generate rule). Uses `node:fs`, which Deno, Bun and
 * Node all provide.
 *
 * @example
 * ```ts
 * import { defaultVectorsDir } from "./vector_files.ts";
 * console.assert(defaultVectorsDir().endsWith("vectors"));
 * ```
 * @module
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedBytes, type Manifest, type Vector } from "./manifest.ts";

/**
 * The directory of the committed vectors: `vectors/` next to this file.
 *
 * @example
 * ```ts
 * import { defaultVectorsDir } from "./vector_files.ts";
 * console.assert(defaultVectorsDir().length > 0);
 * ```
 */
export function defaultVectorsDir(): string {
  return fileURLToPath(new URL("./vectors", import.meta.url));
}

/**
 * Reads and parses `manifest.json` of a vectors directory.
 *
 * @example
 * ```ts
 * import { readManifest } from "./vector_files.ts";
 * const manifest = await readManifest();
 * console.assert(manifest.protocol === "webwire-v2");
 * ```
 */
export async function readManifest(dir: string = defaultVectorsDir()): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  if (manifest.protocol !== "webwire-v2" || manifest.formatVersion !== 1) {
    throw new Error(
      `expected a webwire-v2 manifest of format 1, got ${manifest.protocol} format ${manifest.formatVersion}`,
    );
  }
  return manifest;
}

/**
 * The message bytes of a vector: its file's contents, or what its generate rule builds.
 *
 * @example
 * ```ts
 * import { vectorBytes } from "./vector_files.ts";
 * const bytes = await vectorBytes({
 *   id: "g",
 *   generate: { prefixHex: "bf", payload: { pattern: "i mod 251", length: 2 } },
 *   description: "",
 *   sender: "server",
 * });
 * console.assert(bytes.length === 3);
 * ```
 */
export async function vectorBytes(
  vector: Vector,
  dir: string = defaultVectorsDir(),
): Promise<Uint8Array> {
  if (vector.generate !== undefined) return generatedBytes(vector.generate);
  if (vector.file === undefined) {
    throw new Error(`vector ${vector.id} has neither file nor generate`);
  }
  return new Uint8Array(await readFile(join(dir, vector.file)));
}
