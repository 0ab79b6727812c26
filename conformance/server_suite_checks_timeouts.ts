/**
 * Live server suite: the read timeout that the accept-conf announces. The server closes a
 * connection from which it has read nothing for that long, and not sooner; a heartbeat is
 * something read, so a client that sends one every three quarters of it (as the reference
 * client does) stays connected. Both checks wait about as long as the read timeout: they run
 * only when it is at most one step (`timeoutMs`, `--timeout`) and are skipped otherwise.
 *
 * @example
 * ```ts
 * import { timeoutChecks } from "./server_suite_checks_timeouts.ts";
 * console.assert(timeoutChecks.some((check) => check.name === "read-timeout-idle"));
 * ```
 * @module
 */

import {
  type CheckContext,
  CheckSkipped,
  type Closure,
  describe,
  expect,
  expectPayloadReply,
  hex,
  nextReply,
  randomBytes,
  type ServerCheck,
  type SuiteConnection,
} from "./server_suite_checks_support.ts";

const heartbeat = new Uint8Array([33]);

/** How much earlier than the read timeout a close may be seen: timers may fire a bit early. */
const earlyToleranceMs = 50;

/** Opens a connection and returns it with its announced read timeout, or skips the check. */
async function connectWithShortTimeout(
  context: CheckContext,
): Promise<{ connection: SuiteConnection; readTimeoutMs: number }> {
  const connection = await context.connect();
  const conf = await connection.next("accept-conf");
  expect(conf.kind === "accept-conf", `first message is ${conf.kind}, not accept-conf`);
  const readTimeoutMs = conf.readTimeoutMs;
  if (readTimeoutMs > context.timeoutMs) {
    throw new CheckSkipped(
      `not checked: the read timeout (${readTimeoutMs} ms) is longer than a step ` +
        `(${context.timeoutMs} ms); run with a step timeout of ${readTimeoutMs} ms or more`,
    );
  }
  return { connection, readTimeoutMs };
}

function closeText(closure: Closure): string {
  // Deno reports 0 and Bun 1006 for a TCP connection dropped without a close frame.
  return closure.code === 0 || closure.code === 1006
    ? "without a close frame (1006)"
    : `with code ${closure.code}`;
}

/** A connection that sends nothing is closed once the read timeout has passed, not sooner. */
async function idleClosed(context: CheckContext): Promise<string> {
  // Counted from before the connect: the server's clock cannot have started earlier.
  const started = performance.now();
  const { connection, readTimeoutMs } = await connectWithShortTimeout(context);
  const closure = await connection.closedWithin(readTimeoutMs + context.timeoutMs);
  const after = Math.round(performance.now() - started);
  expect(
    closure !== undefined,
    `connection still open ${after} ms after it opened, though it sent nothing and the read ` +
      `timeout is ${readTimeoutMs} ms`,
  );
  expect(
    after >= readTimeoutMs - earlyToleranceMs,
    `closed ${closeText(closure)} ${after} ms after it opened, before its read timeout ` +
      `(${readTimeoutMs} ms) had passed`,
  );
  return `silent connection closed ${closeText(closure)} ${after} ms after it opened ` +
    `(read timeout ${readTimeoutMs} ms)`;
}

/**
 * A connection that sends a heartbeat every `readTimeout - readTimeout / 4` (the reference
 * client's interval) for more than twice the read timeout stays open, gets no answer to the
 * heartbeats, and still serves a request.
 */
async function heartbeatsKeepOpen(context: CheckContext): Promise<string> {
  const started = performance.now();
  const { connection, readTimeoutMs } = await connectWithShortTimeout(context);
  const interval = readTimeoutMs - Math.floor(readTimeoutMs / 4);
  const count = 3;
  for (let sent = 0; sent < count; sent++) {
    const closure = await connection.closedWithin(interval);
    const after = Math.round(performance.now() - started);
    expect(
      closure === undefined,
      `closed ${closure === undefined ? "" : closeText(closure)} ${after} ms after it opened, ` +
        `though it sent ${sent === 0 ? "no heartbeat yet" : `${sent} heartbeat(s)`} at ` +
        `${interval} ms intervals (read timeout ${readTimeoutMs} ms): a heartbeat is a read`,
    );
    connection.send(heartbeat);
  }
  if (!await connection.silentFor(0)) {
    const answer = await connection.next("the unexpected message");
    expect(false, `the server answered a heartbeat with ${describe(answer)}`);
  }
  const id = randomBytes(8);
  const payload = new TextEncoder().encode(`after heartbeats ${hex(id)}`);
  connection.request(id, "echo", payload, "utf8");
  expectPayloadReply(await nextReply(connection, id, "the echo reply"), "utf8", payload);
  const after = Math.round(performance.now() - started);
  return `${count} heartbeats every ${interval} ms kept it open for ${after} ms ` +
    `(read timeout ${readTimeoutMs} ms); it still serves requests`;
}

/**
 * The read-timeout checks, in report order.
 *
 * @example
 * ```ts
 * import { timeoutChecks } from "./server_suite_checks_timeouts.ts";
 * console.assert(timeoutChecks.every((check) => check.informational !== true));
 * ```
 */
export const timeoutChecks: readonly ServerCheck[] = [
  { name: "read-timeout-idle", run: idleClosed },
  { name: "read-timeout-heartbeat", run: heartbeatsKeepOpen },
];
