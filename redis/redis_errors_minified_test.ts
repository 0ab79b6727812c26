// The Redis module's error classes keep their names in a minified bundle, where the minifier
// renames classes and `new.target.name` no longer reads the class name: each class declares its
// name as a field (see WebwireError). The bundle is of `errors.ts` alone: bundling ioredis (plain
// CommonJS that requires Node's built-ins) into an ES module fails to load under Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorClassNames, minifiedModule } from "../testing/minified_module.ts";
import * as redisModule from "./mod.ts";

test("redis error classes keep their names in a minified bundle", async () => {
  const bundle = await minifiedModule(new URL("./errors.ts", import.meta.url), "neutral");
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
