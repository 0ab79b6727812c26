// The session module's error classes keep their names in a minified bundle, where the minifier
// renames classes and `new.target.name` no longer reads the class name: each class declares its
// name as a field (see WebwireError). The browser suite checks the client bundle's classes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorClassNames, minifiedModule } from "../testing/minified_module.ts";

test("session error classes keep their names in a minified bundle", async () => {
  const bundle = await minifiedModule(new URL("./mod.ts", import.meta.url), "node");
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
  assert.deepEqual(errorClassNames(bundle), [
    "CorruptSessionFileError",
    "SessionKeyTakenError",
  ]);
  const Taken = bundle.SessionKeyTakenError as new () => Error;
  assert.notEqual(Taken.name, "SessionKeyTakenError");
  assert.equal(new Taken().name, "SessionKeyTakenError");
});
