// The chat example's start-up checks: what it does with a bad setting, as a user sees it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
// main.ts is a Deno program: under Bun, run it with the project's Deno.
const deno = "Bun" in globalThis
  ? fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url))
  : process.execPath;

function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      deno,
      ["run", "-A", main],
      { env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 20_000 },
      (error, _stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code ?? 0;
        resolve({ code: typeof code === "number" ? code : -1, stderr });
      },
    );
  });
}

test("a PORT that is not a port number exits with 2 and one line", async () => {
  for (const port of ["abc", "-1", "65536", "80.5"]) {
    const run = await start({ PORT: port });
    assert.equal(run.code, 2, `PORT=${port}: ${run.stderr}`);
    assert.equal(run.stderr, `PORT must be a port number from 0 to 65535, not "${port}"\n`);
  }
});

test("a LOGIN_BURST that is not a number from 1 exits with 2 and one line", async () => {
  for (const burst of ["0", "many", "1.5", "-3"]) {
    const run = await start({ LOGIN_BURST: burst, PORT: "0" });
    assert.equal(run.code, 2, `LOGIN_BURST=${burst}: ${run.stderr}`);
    assert.equal(run.stderr, `LOGIN_BURST must be a number from 1 to 999999, not "${burst}"\n`);
  }
});

test("a CONNECTIONS_PER_ADDRESS that is not a number from 1 exits with 2 and one line", async () => {
  for (const limit of ["0", "lots", "2.5"]) {
    const run = await start({ CONNECTIONS_PER_ADDRESS: limit, PORT: "0" });
    assert.equal(run.code, 2, `CONNECTIONS_PER_ADDRESS=${limit}: ${run.stderr}`);
    assert.equal(
      run.stderr,
      `CONNECTIONS_PER_ADDRESS must be a number from 1 to 999999, not "${limit}"\n`,
    );
  }
});
