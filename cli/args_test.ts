import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCommandArgs } from "./args.ts";
import { CliError } from "./exit_codes.ts";

test("a string option's value may start with a dash (base64url session keys do)", () => {
  const key = "-x8f" + "A".repeat(60);
  const parsed = parseCommandArgs(["ws://h/", "user", "--session", key], {
    session: { type: "string" },
  });
  assert.equal(parsed.values.session, key);
  assert.deepEqual(parsed.positionals, ["ws://h/", "user"]);
});

test("boolean flags and unknown options are parsed as before", () => {
  const parsed = parseCommandArgs(["--json", "a"], { json: { type: "boolean" } });
  assert.equal(parsed.values.json, true);
  assert.throws(() => parseCommandArgs(["--nope"], {}), CliError);
  assert.equal(parseCommandArgs(["--port=80"], { port: { type: "string" } }).values.port, "80");
});

test("after -- every argument is a positional as it is, never joined with the next", () => {
  const parsed = parseCommandArgs(["ws://h/", "echo", "--", "--timeout", "5"], {
    timeout: { type: "string" },
  });
  assert.equal(parsed.values.timeout, undefined);
  assert.deepEqual(parsed.positionals, ["ws://h/", "echo", "--timeout", "5"]);
});
