// The session module's error classes keep their names in a minified bundle, where the minifier
// renames classes and `new.target.name` no longer reads the class name: each class declares its
// name as a field (see WebwireError). The browser suite checks the client bundle's classes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";

async function minifiedSessionModule(): Promise<Record<string, unknown>> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./mod.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  await stop();
  const directory = await mkdtemp(join(tmpdir(), "webwire-minified-session-"));
  try {
    const file = join(directory, "session.mjs");
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

test("session error classes keep their names in a minified bundle", async () => {
  const bundle = await minifiedSessionModule();
  const Corrupt = bundle.CorruptSessionFileError as new (path: string, problem: string) => Error;
  // The minifier did rename the class: without its name field the error would be called so.
  assert.notEqual(Corrupt.name, "CorruptSessionFileError");
  const error = new Corrupt("/srv/sessions/abc.wwrsess", "not JSON");
  assert.equal(error.name, "CorruptSessionFileError");
  assert.equal(
    String(error),
    "CorruptSessionFileError: corrupt session file /srv/sessions/abc.wwrsess: not JSON",
  );
  assert.ok(error instanceof Corrupt && error instanceof Error);
  // Every error class the module exports.
  const errorClasses = Object.entries(bundle).filter(([, value]) =>
    typeof value === "function" && value.prototype instanceof Error
  );
  assert.deepEqual(errorClasses.map(([exported]) => exported), [
    "CorruptSessionFileError",
    "SessionKeyTakenError",
  ]);
  const Taken = bundle.SessionKeyTakenError as new () => Error;
  assert.notEqual(Taken.name, "SessionKeyTakenError");
  assert.equal(new Taken().name, "SessionKeyTakenError");
});
