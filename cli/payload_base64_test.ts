// `call` and `signal --payload-base64`: exact bytes, those that are not UTF-8 too, sent as a
// binary payload, the counterpart of `call --base64` and `listen --json`; what it cannot mean is
// a usage error. A real server on 127.0.0.1 and the CLI as a process.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Payload } from "../protocol/payload.ts";
import { startServer } from "../testing/serve.ts";
import { runCli } from "../testing/serve_process.ts";
import { until } from "../testing/until.ts";

/** Bytes that are not UTF-8, and their base64. */
const notUtf8 = [0xff, 0, 0x80, 0x41];
const notUtf8Base64 = "/wCAQQ==";

const seen = (payload: Payload) => ({ encoding: payload.encoding, bytes: [...payload.bytes] });

test("call and signal --payload-base64 send exact bytes as a binary payload", async () => {
  const received: { name: string; encoding: string; bytes: number[] }[] = [];
  const running = await startServer({
    sessionsEnabled: false,
    onRequest: (request) => {
      received.push({ name: request.name, ...seen(request.payload) });
      return request.payload;
    },
    onSignal: (signal) => void received.push({ name: signal.name, ...seen(signal.payload) }),
  });
  try {
    const call = await runCli("call", running.url, "echo", "--payload-base64", notUtf8Base64);
    assert.equal(call.code, 0, call.stderr);
    assert.deepEqual(received.pop(), { name: "echo", encoding: "binary", bytes: notUtf8 });
    // The reply's bytes, printed as --base64 prints them, are the bytes sent; base64 wrapped
    // in lines (as `base64` prints it) is the same, and --encoding binary may be said.
    const options = ["--payload-base64", "/wCA\nQQ==", "--encoding", "binary", "--base64"];
    const echoed = await runCli("call", running.url, "echo", ...options);
    assert.equal(echoed.stdout, `${notUtf8Base64}\n`, echoed.stderr);
    const signal = await runCli("signal", running.url, "bytes", "--payload-base64", notUtf8Base64);
    assert.equal(signal.code, 0, signal.stderr);
    await until(() => received.at(-1)?.name === "bytes", "the server got the signal");
    assert.deepEqual(received.at(-1), { name: "bytes", encoding: "binary", bytes: notUtf8 });
  } finally {
    await running.close();
  }
});

test("--payload-base64 that is no base64 or not alone is a usage error, in one line", async () => {
  // Refused before connecting: no server at this address is needed.
  const url = "ws://127.0.0.1:1/";
  const refusals: [string[], RegExp][] = [
    [["call", url, "echo", "--payload-base64", "a-k="], /"-" at character 2 is not standard/],
    [["call", url, "echo", "--payload-base64", "aGk"], /3 characters are not padded base64/],
    [["call", url, "echo", "hi", "--payload-base64", "aGk="], /either as an argument or with/],
    [["signal", url, "echo", "--payload-base64", "aGk=", "--encoding", "utf8"], /not utf8/],
    [["signal", url, "echo", "--payload-base64", "a k="], /" " at character 2/],
  ];
  for (const [args, message] of refusals) {
    const run = await runCli(...args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    const [line, hint] = run.stderr.split("\n");
    assert.match(line, new RegExp(`^webwire ${args[0]}: `));
    assert.match(line, message);
    assert.equal(hint, `(see: webwire ${args[0]} --help)`);
  }
});
