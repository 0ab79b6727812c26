// The live server suite's UTF-16 echo checks carry a character outside the BMP (a surrogate
// pair): a server that re-encodes UTF-16 one code unit at a time, replacing each surrogate with
// U+FFFD, fails them, and passes the echo checks of BMP-only text.

import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../protocol/logger.ts";
import { Payload } from "../protocol/payload.ts";
import type { ServerOptions } from "../server/options.ts";
import { startServer } from "../testing/serve.ts";
import { runServerSuite } from "./server_suite.ts";
import { conformanceService } from "./service.ts";

/** UTF-16LE re-encoded code unit by code unit, surrogates replaced with U+FFFD. */
function unitByUnit(payload: Payload): Payload {
  const bytes = payload.bytes.slice();
  const view = new DataView(bytes.buffer);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const unit = view.getUint16(i, true);
    if (unit >= 0xd800 && unit <= 0xdfff) view.setUint16(i, 0xfffd, true);
  }
  return new Payload(bytes, "utf16");
}

test("a server breaking surrogate pairs in UTF-16 payloads fails the UTF-16 echoes", async () => {
  const service = conformanceService();
  const mangle = (payload: Payload) => payload.encoding === "utf16" ? unitByUnit(payload) : payload;
  const onRequest: ServerOptions["onRequest"] = (request) =>
    request.name === "echo" ? mangle(request.payload) : service.onRequest!(request);
  const onSignal: ServerOptions["onSignal"] = (signal) => {
    if (signal.name === "echo-signal") {
      signal.connection.signal(signal.name, mangle(signal.payload));
    }
  };
  const running = await startServer({ logger: silentLogger, ...service, onRequest, onSignal });
  try {
    const only = ["echo-utf16", "echo-signal-utf16", "nameless-utf16", "echo-utf8"];
    const report = await runServerSuite(running.url, { timeoutMs: 1000, only });
    const detail = (name: string) => report.results.find((r) => r.name === name)?.detail;
    // 𝄞 is 34 d8 1e dd in UTF-16LE; the broken server sends fd ff fd ff instead.
    assert.match(detail("echo-utf16") ?? "", /reply payload .* differs from /);
    assert.match(detail("echo-signal-utf16") ?? "", /echoed payload .*fdfffdff.* differs from /);
    assert.deepEqual([report.passed, report.failed], [2, 2]);
  } finally {
    await running.close();
  }
});
