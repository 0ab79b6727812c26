/**
 * Live server suite: many requests in flight on one connection, and (informational, since the
 * reference server handles one message per connection at a time by default) whether a slow
 * request holds up a quick one.
 *
 * @example
 * ```ts
 * import { concurrencyChecks } from "./server_suite_checks_concurrency.ts";
 * console.assert(concurrencyChecks.some((check) => check.informational === true));
 * ```
 * @module
 */

import {
  type CheckContext,
  CheckFailure,
  describe,
  expect,
  expectEchoReplies,
  hex,
  randomBytes,
  sameBytes,
  type ServerCheck,
} from "./server_suite_checks_support.ts";

const inFlight = 100;

async function concurrentRequests(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const pending = new Map<string, Uint8Array>();
  while (pending.size < inFlight) {
    const id = randomBytes(8);
    const payload = randomBytes(1 + pending.size);
    pending.set(hex(id), payload);
    connection.request(id, "echo", payload, "binary");
  }
  await expectEchoReplies(connection, pending);
  return `${inFlight} requests in flight, each answered exactly once`;
}

async function sleepDoesNotBlock(context: CheckContext): Promise<string> {
  const connection = await context.handshake();
  const sleepId = randomBytes(8);
  const echoId = randomBytes(8);
  connection.request(sleepId, "sleep", "500", "utf8");
  connection.request(echoId, "echo", "quick", "utf8");
  const first = await connection.next("the first reply", context.timeoutMs + 500);
  expect("id" in first, `expected a reply, got ${describe(first)}`);
  const second = await connection.next("the second reply", context.timeoutMs + 500);
  expect("id" in second, `expected a reply, got ${describe(second)}`);
  if (sameBytes(first.id, echoId) && sameBytes(second.id, sleepId)) {
    return "the echo was answered while sleep 500 was running";
  }
  expect(
    sameBytes(first.id, sleepId) && sameBytes(second.id, echoId),
    `replies carry ids ${hex(first.id)} and ${hex(second.id)}, not the two sent`,
  );
  throw new CheckFailure(
    "the echo was answered only after sleep 500 (messages handled one at a time)",
  );
}

/**
 * The concurrency checks, in report order.
 *
 * @example
 * ```ts
 * import { concurrencyChecks } from "./server_suite_checks_concurrency.ts";
 * console.assert(concurrencyChecks[0].name === "concurrent-requests");
 * ```
 */
export const concurrencyChecks: readonly ServerCheck[] = [
  { name: "concurrent-requests", run: concurrentRequests },
  { name: "sleep-does-not-block", informational: true, run: sleepDoesNotBlock },
];
