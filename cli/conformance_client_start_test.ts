// `webwire conformance client` with a command that cannot be started at all (not found, not
// executable) is bad usage, as a `--decoder` that cannot be started is: one line, exit 2, and
// not a FAIL for every check. Real processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../testing/serve_process.ts";

test("conformance client with a command that cannot start says so once (exit 2)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "client-start-"));
  try {
    const notExecutable = join(dir, "client.sh");
    await writeFile(notExecutable, "#!/bin/sh\n", { mode: 0o644 });
    const commands: [string[], string][] = [
      [[join(dir, "no-such-client"), "--flag"], "not found (ENOENT)"],
      [["webwire-no-such-client-program"], "not found (ENOENT)"],
      ...(process.platform === "win32"
        ? []
        : [[[notExecutable], "not executable (EACCES)"] as [string[], string]]),
    ];
    for (const [command, why] of commands) {
      const run = await runCli("conformance", "client", "--", ...command);
      assert.equal(run.code, 2, `${command.join(" ")}: ${run.stderr}`);
      assert.equal(run.stdout, "", "no line per check");
      assert.equal(
        run.stderr,
        `webwire conformance: cannot start the client "${command.join(" ")}": ${why}\n` +
          "(see: webwire conformance --help)\n",
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
