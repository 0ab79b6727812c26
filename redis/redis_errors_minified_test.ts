// The Redis module's error classes keep their names in a minified bundle, where the minifier
// renames classes and `new.target.name` no longer reads the class name: each class declares its
// name as a field (see WebwireError). The bundle is of `errors.ts` alone: bundling ioredis (plain
// CommonJS that requires Node's built-ins) into an ES module fails to load under Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";
import * as redisModule from "./mod.ts";

async function minifiedErrorsModule(): Promise<Record<string, unknown>> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./errors.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  await stop();
  const directory = await mkdtemp(join(tmpdir(), "webwire-minified-redis-"));
  try {
    const file = join(directory, "errors.mjs");
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function errorClassNames(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === "function" && value.prototype instanceof Error)
    .map(([exported]) => exported)
    .sort();
}

test("redis error classes keep their names in a minified bundle", async () => {
  const bundle = await minifiedErrorsModule();
  // Every error class the entry point exports comes from errors.ts, so the bundle covers them.
  assert.deepEqual(errorClassNames(redisModule), [
    "CorruptRedisSessionError",
    "RedisUnavailableError",
  ]);
  assert.deepEqual(errorClassNames(bundle), errorClassNames(redisModule));

  type Make = new (subject: string, problem: string) => Error;
  const Unavailable = bundle.RedisUnavailableError as Make;
  // The minifier did rename the class: without its name field the error would be called so.
  assert.notEqual(Unavailable.name, "RedisUnavailableError");
  const unavailable = new Unavailable("session lookup", "timed out after 2000 ms");
  assert.equal(unavailable.name, "RedisUnavailableError");
  assert.equal(
    String(unavailable),
    "RedisUnavailableError: Redis unavailable for session lookup: timed out after 2000 ms",
  );

  const Corrupt = bundle.CorruptRedisSessionError as Make;
  assert.notEqual(Corrupt.name, "CorruptRedisSessionError");
  const corrupt = new Corrupt("webwire:session:k", '"i" is not a JSON object');
  assert.equal(corrupt.name, "CorruptRedisSessionError");
  assert.ok(corrupt instanceof Corrupt && corrupt instanceof Error);
});
