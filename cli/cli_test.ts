import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "../client/client.ts";
import { silentLogger } from "../protocol/logger.ts";
import {
  cliCommand,
  runCli,
  serveProcessFixture,
  startServeProcess,
} from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

const decoder = fileURLToPath(new URL("../testing/json_decoder.ts", import.meta.url));
/** How this runtime runs a TypeScript file. */
const runTs = (file: string): string[] =>
  "Bun" in globalThis ? [process.execPath, "run", file] : [process.execPath, "run", "-A", file];
const cli = runCli;

let url: string;
serveProcessFixture((served) => url = served.url);

test("serve prints its URL; call echo prints the reply", async () => {
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
  const run = await cli("call", url, "echo", "hello");
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "hello\n");
});

test("call with --encoding utf16 and --json", async () => {
  const utf16 = await cli("call", url, "echo", "héllo", "--encoding", "utf16");
  assert.equal(utf16.stdout, "héllo\n");
  const json = await cli("call", url, "echo", '{"a":[1]}', "--json");
  assert.equal(json.stdout, '{\n  "a": [\n    1\n  ]\n}\n');
});

test("an error reply prints code and message and exits with 1", async () => {
  const run = await cli("call", url, "error");
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /request error TEST_ERROR: test error message/);
});

test("no reply within --timeout exits with 4", async () => {
  const run = await cli("call", url, "sleep", "3000", "--timeout", "300");
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /300 ms/);
});

test("signal sends; listen prints the echoed signal and stops after --count", async () => {
  const signal = await cli("signal", url, "echo-signal", "hi");
  assert.equal(signal.code, 0, signal.stderr);
  const listen = await cli("listen", url, "--signal", "echo-signal=hi", "--count", "1");
  assert.equal(listen.code, 0, listen.stderr);
  assert.equal(listen.stdout, "echo-signal hi\n");
  const json = await cli("listen", url, "--request", "signal-me", "--count", "1", "--json");
  assert.deepEqual(json.stdout.trim().split("\n").map((line) => JSON.parse(line)), [
    { name: "srvsig", encoding: "utf8", payload: "ping" },
    { reply: "signal-me", encoding: "utf8", payload: "ok" },
  ]);
  // Binary payloads: sent as the text's bytes, and printed with their exact bytes in base64.
  const options = ["--encoding", "binary", "--signal", "echo-signal=é", "--request", "echo=hi"];
  const binary = await cli("listen", url, ...options, "--count", "1", "--json");
  assert.equal(binary.code, 0, binary.stderr);
  const lines = binary.stdout.trim().split("\n").map((line) => JSON.parse(line));
  // The signal's echo and the reply may come in either order.
  const signalFirst = lines.sort((a, b) => ("name" in a ? 0 : 1) - ("name" in b ? 0 : 1));
  assert.deepEqual(signalFirst, [
    { name: "echo-signal", encoding: "binary", payload: "é", base64: "w6k=" },
    { reply: "echo", encoding: "binary", payload: "hi", base64: "aGk=" },
  ]);
});

test("listen prints the replies to its --requests, waiting for them after --count", async () => {
  const run = await cli(
    "listen",
    url,
    "--request",
    "echo=hi",
    "--request",
    "sleep=300",
    "--signal",
    "echo-signal=x",
    "--count",
    "1",
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 2).sort(), ["echo-signal x", "reply to echo: hi"]);
  // The signal completed --count; listen still waited for the reply to the slow request.
  assert.deepEqual(lines.slice(2), ["reply to sleep: slept", ""]);
  const failed = await cli("listen", url, "--request", "error", "--count", "1");
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /request error TEST_ERROR/);
});

test("call and listen --session restore the session first", async () => {
  const client = new Client(url, { autoconnect: false, logger: silentLogger });
  await client.connect();
  try {
    await client.request("login", "ada");
    await until(() => client.session !== null, "logged in");
    const key = client.session!.key;
    const user = await cli("call", url, "user", "--session", key);
    assert.equal(user.code, 0, user.stderr);
    assert.equal(user.stdout, "ada\n");
    const listen = await cli(
      "listen",
      url,
      "--session",
      key,
      "--request",
      "whoami",
      "--json",
      "--timeout",
      "1000",
    );
    assert.equal(listen.code, 0, listen.stderr);
    assert.deepEqual(JSON.parse(listen.stdout), {
      reply: "whoami",
      encoding: "utf8",
      payload: key,
    });
  } finally {
    await client.close();
  }
  const without = await cli("call", url, "user");
  assert.equal(without.code, 1);
  const unknown = await cli("call", url, "user", "--session", "k".repeat(40));
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /cannot restore session k+: the server found no session/);
});

test("a payload larger than the server accepts exits with 2, not with 1", async () => {
  const big = "x".repeat(9000);
  for (
    const run of [
      await cli("call", url, "echo", big),
      await cli("signal", url, "echo-signal", big),
      await cli("listen", url, "--request", `echo=${big}`, "--count", "1"),
    ]
  ) {
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /payload too large: the message is \d+ bytes, the server accepts at most 8192/,
    );
  }
});

test("listen without the signals it waits for times out with 4", async () => {
  const run = await cli("listen", url, "--count", "1", "--timeout", "300");
  assert.equal(run.code, 4);
  assert.match(run.stderr, /0 of 1 signals/);
});

test("bad URLs and arguments exit with 2, an unreachable server with 3", async () => {
  // A fragment (even a bare "#") is one the WebSocket constructor refuses, for every command.
  for (const bad of ["http://127.0.0.1/", "not a url", "ws://", `${url}#f`, `${url}#`]) {
    const run = await cli("call", bad, "echo");
    assert.equal(run.code, 2, `${bad}: ${run.stderr}`);
  }
  for (const args of [["listen", `${url}#`], ["signal", `${url}#x`, "n"]]) {
    const run = await cli(...args);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^webwire \w+: a WebSocket URL has no #fragment, got "ws:.*#x?"\n/);
  }
  assert.equal((await cli("call", url, "echo", "--nope")).code, 2);
  assert.equal((await cli("frobnicate")).code, 2);
  assert.equal((await cli("serve", "--runtime", "rhino")).code, 2);
  const unreachable = await cli("call", "ws://127.0.0.1:1/", "echo");
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /cannot connect/);
});

test("serve --runtime deno --deno-tcp serves on Deno's TCP adapter; other runtimes refuse it", async () => {
  const [command, ...rest] = cliCommand([]);
  const child = spawn(
    command,
    [...rest, "serve", "--port", "0", "--runtime", "deno", "--deno-tcp"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    let output = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => output += chunk);
    await until(() => /listening on ws:\/\/\S+/.test(output), "serve printed its URL", 20_000);
    const served = /listening on (ws:\/\/\S+)/.exec(output)![1];
    const run = await cli("call", served, "echo", "over tcp");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), "over tcp");
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  }
  const refused = await cli("serve", "--runtime", "bun", "--deno-tcp");
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--deno-tcp needs the deno runtime/);
});

test("a SIGTERM right after the URL is printed shuts serve down gracefully (exit code 0)", async () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const [command, ...rest] = cliCommand(["serve", "--port", "0"]);
    const child = spawn(command, rest, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let signalled = false;
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      // Signalled within the same tick as the URL arrives, as a supervisor might.
      if (!signalled && /listening on ws:\/\//.test(output)) {
        signalled = true;
        // process.kill, not child.kill: Deno's child_process reports a child it signalled
        // through child.kill as killed by that signal even when it exited with code 0.
        process.kill(child.pid!, signal);
      }
    });
    const [code, killedBy] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
    );
    assert.equal(killedBy, null, `${signal} killed serve instead of stopping it: ${output}`);
    assert.equal(code, 0, output);
    assert.match(output, /shutting down/);
  }
});

test("--help of every command documents the exit codes", async () => {
  for (const command of ["serve", "call", "signal", "listen", "conformance"]) {
    const run = await cli(command, "--help");
    assert.equal(run.code, 0, command);
    assert.match(run.stdout, new RegExp(`usage: webwire ${command}`));
    assert.match(run.stdout, /4 {2}timed out/);
  }
  const overview = await cli("--help");
  assert.match(overview.stdout, /conformance/);
  // No command at all is bad usage: the overview goes to stderr.
  const none = await cli();
  assert.deepEqual([none.code, none.stdout], [2, ""]);
  assert.match(none.stderr, /^usage: webwire <command>/);
  // So is `conformance` without a suite.
  const noSuite = await cli("conformance");
  assert.deepEqual([noSuite.code, noSuite.stdout], [2, ""]);
  assert.match(noSuite.stderr, /usage: webwire conformance/);
});

test("conformance vectors passes with our codec", async () => {
  const run = await cli("conformance", "vectors");
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /\n\d{3,} passed, 0 failed\n$/);
});

test("conformance vectors --decoder runs an outside decoder per vector", async () => {
  const only = ["--only", "heartbeat,accept-conf,generated"];
  const good = await cli("conformance", "vectors", ...only, "--decoder", runTs(decoder).join(" "));
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /\n18 passed, 0 failed\n$/);
  // A "decoder" that prints no JSON fails every vector.
  const bad = await cli(
    "conformance",
    "vectors",
    "--only",
    "heartbeat",
    "--decoder",
    `${process.execPath} --version`,
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /\n0 passed, \d+ failed\n$/);
});

test("conformance vectors --decoder-timeout kills a decoder that ignores SIGTERM", {
  skip: process.platform === "win32",
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "webwire-decoder-"));
  try {
    const stubborn = join(dir, "stubborn.sh");
    await writeFile(stubborn, "#!/bin/sh\ntrap '' TERM\nsleep 20\n", { mode: 0o755 });
    const only = ["--only", "heartbeat"];
    const run = await cli(
      "conformance",
      "vectors",
      ...only,
      "--decoder",
      stubborn,
      "--decoder-timeout",
      "300",
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^FAIL heartbeat\/valid: .*no answer within 300 ms, killed/m);
    assert.match(run.stdout, /\n0 passed, 3 failed\n$/);
    const alone = await cli("conformance", "vectors", ...only, "--decoder-timeout", "300");
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--decoder-timeout needs --decoder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("conformance server runs the live server suite", async () => {
  const run = await cli("conformance", "server", url, "--only", "accept-conf,reply-ids");
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /PASS accept-conf\n[\s\S]*\n2 passed, 0 failed\n$/);
  const unreachable = await cli("conformance", "server", "ws://127.0.0.1:1/");
  assert.equal(unreachable.code, 3);
  const badUrl = await cli("conformance", "server", "ws://127.0.0.1:99999/", "--timeout=500");
  assert.equal(badUrl.code, 2, badUrl.stderr);
  assert.match(badUrl.stderr, /^webwire conformance: not a URL: ws:\/\/127\.0\.0\.1:99999\//);
});

test("conformance vectors refuses a missing vectors dir, unknown names and a missing decoder", async () => {
  const missing = await cli("conformance", "vectors", "--vectors", "/nonexistent");
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /^webwire conformance: cannot read the vectors in \/nonexistent: /);
  assert.ok(!missing.stderr.includes("    at "), "no stack trace");
  const unknown = await cli("conformance", "vectors", "--only", "heartbeat,nosuchgroup");
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /no vector group or id "nosuchgroup" \(groups: .*heartbeat/);
  const decoder = await cli("conformance", "vectors", "--decoder", "/nonexistent/decoder");
  assert.equal(decoder.code, 2);
  assert.equal(decoder.stdout, "", "no line per vector");
  assert.match(decoder.stderr, /cannot start the decoder "\/nonexistent\/decoder": not found/);
});

test("conformance server with no URL or an extra argument prints the CLI's usage", async () => {
  for (const args of [[], [url, "extra"]]) {
    const run = await cli("conformance", "server", ...args);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\nusage: webwire conformance server <ws:\/\/host:port\/path> /);
    assert.ok(!run.stderr.includes("run_server_suite"), run.stderr);
  }
});

test("serve with a session dir it cannot write to stops at once with one line", async () => {
  const run = await cli("serve", "--port", "0", "--session-dir", "/proc/webwire-no-such-dir");
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "", "it never listened");
  assert.match(run.stderr, /^webwire serve: --session-dir \/proc\/webwire-no-such-dir cannot /);
  for (const runtime of ["deno", "bun"]) {
    const empty = await cli("serve", "--port", "0", "--session-dir", "", "--runtime", runtime);
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /^webwire serve: --session-dir must not be empty\n/);
  }
});

test("serve creates its session dir for its owner only: the files are named after the keys", async () => {
  const parent = await mkdtemp(join(tmpdir(), "webwire-cli-dir-"));
  const directory = join(parent, "sessions");
  try {
    const served = await startServeProcess(["--port", "0", "--session-dir", directory]);
    assert.equal(await served.stop("SIGINT"), 0);
    assert.equal((await stat(directory)).mode & 0o777, 0o700);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test("conformance: --help and -h print its help before a client's command, not after", async () => {
  for (
    const args of [["vectors", "-h"], ["server", "-h"], ["client", "-h"], ["client", "--help"]]
  ) {
    const run = await cli("conformance", ...args);
    assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stdout, /Runs the live client suite/, args.join(" "));
  }
  // After `--`, `--help` is the client command's own: the suite runs (a client that exits).
  const client = ["sh", "-c", "exit 0", "--help"];
  const run = await cli("conformance", "client", "--only", "accept-conf-first", "--", ...client);
  assert.doesNotMatch(run.stdout, /Runs the live client suite/);
  assert.match(run.stdout, /\d+ passed, \d+ failed\n$/);
});

test("serve on a port in use exits with 1, as its help says", async () => {
  const run = await cli("serve", "--port", new URL(url).port);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^webwire serve: cannot listen on 127\.0\.0\.1:\d+: /);
  assert.doesNotMatch(run.stderr, /cannot listen on .*cannot listen on/, "said once");
  const help = await cli("serve", "--help");
  assert.match(help.stdout, /exit 1 when it cannot\s+listen there, such as a port in use/);
});
