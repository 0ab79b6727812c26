// `serve --host [::1]`: an IPv6 address written as in a URL is served and printed as
// ws://[::1]:PORT/, a URL that clients can use (it was printed as ws://[[::1]]:PORT/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, startServeProcess } from "../testing/serve_process.ts";

test("serve --host [::1] prints a URL that call can use", async () => {
  const serve = await startServeProcess(["--port", "0", "--host", "[::1]"]);
  try {
    assert.match(serve.url, /^ws:\/\/\[::1\]:\d+\/$/);
    const call = await runCli("call", serve.url, "echo", "hi");
    assert.equal(call.code, 0, call.stderr);
    assert.equal(call.stdout, "hi\n");
  } finally {
    assert.equal(await serve.stop(), 0, serve.output());
  }
});
