/**
 * Live server suite: graceful shutdown. Once the server's shutdown has begun it refuses new
 * connections with `503 Service Unavailable`, answers new requests with the shutdown reply
 * (type 1), drops new signals, and closes a connection only once the handlers running on it
 * have finished. The suite cannot shut a server down over the wire: the check runs only when
 * the suite is given a hook that begins the shutdown (`shutdown` of `runServerSuite`), and it
 * runs last, since the server is gone afterwards.
 *
 * @example
 * ```ts
 * import { shutdownChecks } from "./server_suite_checks_shutdown.ts";
 * console.assert(shutdownChecks[0].name === "graceful-shutdown");
 * ```
 * @module
 */

import type { Message } from "../protocol/decode.ts";
import { encodeSignal } from "../protocol/encode_payload_message.ts";
import {
  type CheckContext,
  CheckFailure,
  CheckSkipped,
  describe,
  expect,
  hex,
  sameBytes,
  type ServerCheck,
  type SuiteConnection,
} from "./server_suite_checks_support.ts";

/** A complete WebSocket upgrade request, so that only the shutdown can make it fail. */
async function upgradeStatus(url: string): Promise<number> {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const response = await fetch(url.replace(/^ws/i, "http"), {
    headers: {
      upgrade: "websocket",
      connection: "upgrade",
      "sec-websocket-key": key,
      "sec-websocket-version": "13",
    },
  });
  await response.body?.cancel();
  return response.status;
}

async function gracefulShutdown(context: CheckContext): Promise<string> {
  const shutdown = context.shutdown;
  if (shutdown === undefined) {
    throw new CheckSkipped("not checked: the suite was given no way to shut the server down");
  }
  const connection = await context.handshake();
  const sleepMs = Math.min(1000, Math.max(100, Math.floor(context.timeoutMs / 2)));
  const running = context.nextId();
  connection.request(running, "sleep", String(sleepMs), "utf8");
  const sleepSent = performance.now();
  // Long enough for the server to read the request and start its handler.
  expect(await connection.silentFor(50), "a message arrived before the sleep had ended");
  await shutdown();
  const late = context.nextId();
  connection.request(late, "echo", "late", "utf8");
  connection.send(encodeSignal({ name: "echo-signal", payload: "late", encoding: "utf8" }));
  let status: number | string;
  try {
    status = await upgradeStatus(context.url);
  } catch (error) {
    status = `no HTTP answer (${error})`;
  }
  expect(status === 503, `a new connection during the shutdown got ${status}, expected 503`);
  const seen = await readUntilClosed(connection, sleepSent + sleepMs, context.timeoutMs);
  const closedAfter = Math.round(seen.closedAt - sleepSent);
  const answers = seen.messages.map((message) => {
    if (message.kind === "shutdown-reply" && sameBytes(message.id, late)) {
      expect(message.bytes.length === 9, `shutdown reply is ${message.bytes.length} bytes, not 9`);
      return "shutdown";
    }
    if ("id" in message && sameBytes(message.id, late)) {
      throw new CheckFailure(
        `the request sent during the shutdown was answered with ${describe(message)}, not ` +
          `the shutdown reply (type 1)`,
      );
    }
    if ("id" in message && sameBytes(message.id, running)) {
      expect(
        message.kind === "reply",
        `the request running when the shutdown began was answered with ${describe(message)}`,
      );
      return "running";
    }
    if (message.kind === "signal") {
      throw new CheckFailure(`a signal sent during the shutdown was handled: ${describe(message)}`);
    }
    const id = "id" in message ? ` with id ${hex(message.id)}` : "";
    throw new CheckFailure(`unexpected ${describe(message)}${id} during the shutdown`);
  });
  expect(
    answers.includes("shutdown"),
    `the request sent during the shutdown got no shutdown reply (type 1) before the close`,
  );
  expect(
    closedAfter >= sleepMs - earlyToleranceMs,
    `closed ${closedAfter} ms after sleep ${sleepMs} was sent: before its handler had finished`,
  );
  const replied = answers.includes("running") ? "with" : "without";
  return `503 for a new connection, shutdown reply (type 1) to a new request, signal dropped, ` +
    `closed ${closedAfter} ms after sleep ${sleepMs} began, ${replied} its reply`;
}

/** How much earlier than the handler's end a close may be seen: timers may fire a bit early. */
const earlyToleranceMs = 50;

/** Every message until the connection closes, by `endsAt` (a `performance.now()`) + a step. */
async function readUntilClosed(
  connection: SuiteConnection,
  endsAt: number,
  stepMs: number,
): Promise<{ messages: Message[]; closedAt: number }> {
  const messages: Message[] = [];
  for (;;) {
    const left = Math.max(0, endsAt - performance.now()) + stepMs;
    const message = await connection.next("the answers and the close", left).catch(
      (error: unknown) => {
        const closed = error instanceof CheckFailure && connection.closure !== undefined &&
          error.message.startsWith("connection closed");
        if (closed) return undefined;
        throw new CheckFailure(`${(error as Error).message} after the shutdown began`);
      },
    );
    if (message === undefined) break;
    messages.push(message);
  }
  // The loop sees the close at once (a waiting `next` wakes): later than the server closed.
  return { messages, closedAt: performance.now() };
}

/**
 * The shutdown check (run last).
 *
 * @example
 * ```ts
 * import { shutdownChecks } from "./server_suite_checks_shutdown.ts";
 * console.assert(shutdownChecks.length === 1);
 * ```
 */
export const shutdownChecks: readonly ServerCheck[] = [
  { name: "graceful-shutdown", run: gracefulShutdown },
];
