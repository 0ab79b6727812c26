// The handshake refusals docs/server.md promises, over real sockets on every adapter that
// serves a path itself: serveDeno under Deno, serveBun under Bun, and serveNode everywhere (under
// Node after esbuild has bundled this file). The same raw upgrade requests, each wrong in one
// way, get the same answer from each: 405 for a method other than GET (HEAD without a body), 400
// without `connection: upgrade` or a valid key or with a bad subprotocol list, 426 for a version
// other than 13; none connects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../server/server.ts";
import { MemorySessionManager } from "../session/memory_session_manager.ts";
import { rawAnswer, upgradeRequest, type UpgradeRequestOptions } from "../testing/raw_answer.ts";
import { until } from "../testing/until.ts";
import { serveBun } from "./bun.ts";
import { type ListenOptions, type RunningServer, serveDeno } from "./deno.ts";
import { serveNode } from "./node.ts";

type Serve = (server: Server, options: ListenOptions) => Promise<RunningServer>;

const adapters: { name: string; serve: Serve }[] = [
  { name: "serveNode", serve: serveNode },
  ...("Bun" in globalThis
    ? [{
      name: "serveBun",
      serve: (s: Server, o: ListenOptions) => Promise.resolve(serveBun(s, o)),
    }]
    : "Deno" in globalThis
    ? [{
      name: "serveDeno",
      serve: (s: Server, o: ListenOptions) => Promise.resolve(serveDeno(s, o)),
    }]
    : []),
];

interface Case extends UpgradeRequestOptions {
  name: string;
  status: number;
  /** The body of the refusal (none for HEAD). */
  body: string;
}

const cases: Case[] = [
  { name: "no key", drop: ["Sec-WebSocket-Key"], status: 400, body: "bad sec-websocket-key\n" },
  {
    name: "a key of 2 bytes",
    set: { "Sec-WebSocket-Key": "abc=" },
    status: 400,
    body: "bad sec-websocket-key\n",
  },
  {
    name: "version 12",
    set: { "Sec-WebSocket-Version": "12" },
    status: 426,
    body: "WebSocket version 13 only\n",
  },
  {
    name: "connection: keep-alive",
    set: { Connection: "keep-alive" },
    status: 400,
    body: "missing connection: upgrade\n",
  },
  {
    name: "a bad subprotocol list",
    set: { "Sec-WebSocket-Protocol": "a b, @c" },
    status: 400,
    body: "bad sec-websocket-protocol\n",
  },
  { name: "HEAD", method: "HEAD", status: 405, body: "" },
  { name: "POST", method: "POST", status: 405, body: "a WebSocket upgrade must be a GET\n" },
];

for (const { name, serve } of adapters) {
  test(`${name}: each bad upgrade request gets its documented refusal`, async () => {
    let connected = 0;
    const server = new Server({
      sessionManager: new MemorySessionManager(),
      // Asynchronous, as a real check of a token would be.
      beforeUpgrade: async () => await Promise.resolve({}),
      onClientConnected: () => void connected++,
    });
    const running = await serve(server, { path: "/ws" });
    try {
      // Every answer is read before any is compared, so that a failure shows them all.
      const answers: string[] = [];
      const expected: string[] = [];
      for (const { name: wrong, status, body, ...request } of cases) {
        const answer = await rawAnswer(running.port, upgradeRequest(request));
        const extra = answer.status === 405
          ? ` allow: ${answer.headers.get("allow")}`
          : answer.status === 426
          ? ` version: ${answer.headers.get("sec-websocket-version")}`
          : "";
        answers.push(`${wrong}: ${answer.status} ${JSON.stringify(answer.body)}${extra}`);
        const expectedExtra = status === 405
          ? " allow: GET, OPTIONS"
          : status === 426
          ? " version: 13"
          : "";
        // Deno.serve answers an upgrade by POST itself (400, no body), before the handler runs.
        expected.push(
          name === "serveDeno" && request.method === "POST"
            ? `${wrong}: 400 ""`
            : `${wrong}: ${status} ${JSON.stringify(body)}${expectedExtra}`,
        );
      }
      assert.deepEqual(answers, expected);
      assert.equal(connected, 0);
      // A valid request still connects.
      const valid = await rawAnswer(running.port, upgradeRequest());
      assert.equal(valid.status, 101);
      await until(() => connected === 1, "the valid upgrade connected");
    } finally {
      await running.close();
    }
  });
}
