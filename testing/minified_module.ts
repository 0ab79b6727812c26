/**
 * A module of ours bundled and minified by esbuild, then imported: for tests that check what
 * survives a minifier (error class names, which `new.target.name` no longer gives once the
 * minifier renamed the classes).
 *
 * @example
 * ```ts
 * import { errorClassNames, minifiedModule } from "./minified_module.ts";
 * const url = new URL("../session/mod.ts", import.meta.url);
 * const bundle = await minifiedModule(url, "node");
 * console.assert(errorClassNames(bundle).includes("CorruptSessionFileError"));
 * ```
 * @module
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";

/** Bundles the module at `entry` minified (ESM, for `platform`) and imports the bundle. */
export async function minifiedModule(
  entry: URL,
  platform: "node" | "neutral",
): Promise<Record<string, unknown>> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    write: false,
    logLevel: "silent",
  });
  await stop();
  const directory = await mkdtemp(join(tmpdir(), "webwire-minified-"));
  try {
    const file = join(directory, "bundle.mjs");
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The names under which `module` exports error classes, sorted. */
export function errorClassNames(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof Error)
    .map(([exported]) => exported)
    .sort();
}
