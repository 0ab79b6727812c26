/**
 * Whether an HTTP request that reached the WebWire endpoint becomes a WebSocket connection:
 * what {@link Server.prepareUpgrade} decides, apart from the server it asks.
 *
 * @example
 * ```ts
 * import { decideUpgrade } from "./upgrade_decision.ts";
 * const request = new Request("http://localhost/", { headers: { upgrade: "websocket" } });
 * const decision = await decideUpgrade(request, {}, { isShuttingDown: false });
 * console.assert(decision.accept);
 * ```
 * @module
 */

import type { Logger } from "../protocol/logger.ts";
import type { ServerOptions } from "./options.ts";
import { RateLimitedLog } from "./rate_limited_log.ts";
import type { Server } from "./server.ts";
import type { ConnectionOptions, UpgradeDecision, UpgradeRequestHead } from "./transport.ts";

/** The options of a connection that `beforeUpgrade` gave none: one object for all of them. */
const noOptions: ConnectionOptions = Object.freeze({});

/**
 * Any client can make an upgrade hook fail on every request (a token it cannot parse), as it
 * can a handler: at most 10 lines per 10 s per logger (one server's, whose Hono routes share it).
 */
const hookFailureLimit = {
  max: 10,
  windowMs: 10_000,
  what: "upgrade hook failures",
  note: "catch in the hook what must all be logged",
};
const hookFailureLogs = new WeakMap<Logger, RateLimitedLog>();

/**
 * Decides what to do with an HTTP request that reached the WebWire endpoint: answer an OPTIONS
 * request (`onOptions`), refuse during shutdown (503) or when it is no WebSocket upgrade (426),
 * ask `beforeUpgrade`, or accept with the connection's options. Shutdown is looked at again
 * after `beforeUpgrade`, which may take a while. A hook that throws or rejects is logged to
 * `logger` (at most 10 per 10 s, then a count) and the request gets 500.
 *
 * @example
 * ```ts
 * import { decideUpgrade } from "./upgrade_decision.ts";
 * const hooks = {
 *   beforeUpgrade: (request: Request) =>
 *     request.headers.get("authorization") === "Bearer s3cret"
 *       ? { info: { user: "ada" } }
 *       : new Response("who are you?", { status: 401 }),
 * };
 * const anonymous = new Request("http://localhost/", { headers: { upgrade: "websocket" } });
 * const refused = await decideUpgrade(anonymous, hooks, { isShuttingDown: false });
 * console.assert(!refused.accept && refused.response.status === 401);
 * ```
 */
export async function decideUpgrade(
  request: Request | UpgradeRequestHead,
  hooks: ServerOptions,
  server: Pick<Server, "isShuttingDown">,
  logger: Logger = console,
): Promise<UpgradeDecision> {
  const full = () => request instanceof Request ? request : request.toRequest();
  if (request.method === "OPTIONS") {
    if (hooks.onOptions === undefined) {
      return { accept: false, response: new Response(null, { status: 204 }) };
    }
    const asked = full(); // a request that makes no valid `Request` is the adapter's to answer
    try {
      return { accept: false, response: await hooks.onOptions(asked) };
    } catch (error) {
      return failed("onOptions", error, logger);
    }
  }
  if (server.isShuttingDown) return { accept: false, response: unavailable() };
  const upgrade = request instanceof Request
    ? request.headers.get("upgrade")
    : request.header("upgrade");
  if (upgrade?.toLowerCase() !== "websocket") {
    return {
      accept: false,
      response: new Response("expected a WebSocket upgrade\n", {
        status: 426,
        headers: { upgrade: "websocket" },
      }),
    };
  }
  if (hooks.beforeUpgrade === undefined) return { accept: true, options: noOptions };
  const asked = full(); // a request that makes no valid `Request` is the adapter's to answer
  return await askUpgradeHook("beforeUpgrade", () => hooks.beforeUpgrade?.(asked), server, logger);
}

/** What a `beforeUpgrade` hook returns: the connection's options, a refusal, or nothing. */
export type UpgradeHookResult = ConnectionOptions | Response | void;

/**
 * Asks a `beforeUpgrade` hook (`ask` calls it) and checks its answer as the core checks the
 * server's: a `Response` refuses the upgrade; a `concurrencyLimit` that is no integer (nor
 * `Infinity`) is the hook's failure, as is a throw or a rejection: logged to `logger` as
 * `<name> hook failed` (at most 10 per 10 s per logger, then a count), and answered 500.
 * Shutdown is looked at again once the hook is done (503). Otherwise the go-ahead, with the
 * options the hook returned (none: an empty object).
 * Used by `decideUpgrade` and by adapters that ask a hook of their own (the Hono route's).
 *
 * @example
 * ```ts
 * import { askUpgradeHook } from "./upgrade_decision.ts";
 * const logged: string[] = [];
 * const logger = { error: (message: string) => void logged.push(message), warn() {} };
 * const server = { isShuttingDown: false };
 * const half = await askUpgradeHook("route", () => ({ concurrencyLimit: 1.5 }), server, logger);
 * console.assert(!half.accept && half.response.status === 500);
 * console.assert(logged[0] === "route hook failed");
 * const one = await askUpgradeHook("route", () => ({ concurrencyLimit: 1 }), server, logger);
 * console.assert(one.accept && one.options.concurrencyLimit === 1);
 * ```
 */
export async function askUpgradeHook(
  name: string,
  ask: () => UpgradeHookResult | Promise<UpgradeHookResult>,
  server: Pick<Server, "isShuttingDown">,
  logger: Logger,
): Promise<UpgradeDecision> {
  let decision;
  try {
    decision = await ask();
  } catch (error) {
    return failed(name, error, logger);
  }
  if (decision instanceof Response) return { accept: false, response: decision };
  const limit = decision?.concurrencyLimit;
  if (limit !== undefined && !(Number.isInteger(limit) || limit === Infinity)) {
    // A limit of 1.5 would let 2 run, NaN none at all: the hook's bug, answered as a throw.
    const got = typeof limit === "string" ? JSON.stringify(limit) : String(limit);
    const error = new RangeError(`concurrencyLimit must be an integer, got ${got}`);
    return failed(name, error, logger);
  }
  // The hook may have taken a while.
  if (server.isShuttingDown) return { accept: false, response: unavailable() };
  return { accept: true, options: decision || noOptions };
}

/** A hook threw: logged within the limit, and answered with 500 (the same on every adapter). */
function failed(hook: string, error: unknown, logger: Logger): UpgradeDecision {
  let log = hookFailureLogs.get(logger);
  if (log === undefined) {
    hookFailureLogs.set(logger, log = new RateLimitedLog(logger, hookFailureLimit));
  }
  log.error(`${hook} hook failed`, error);
  return { accept: false, response: new Response("internal server error\n", { status: 500 }) };
}

/**
 * Writes the count of the upgrade hook failures left out for `logger`, if any: the server's
 * shutdown calls it, as it flushes its other rate-limited logs (the process may end before the
 * window's timer fires).
 *
 * @example
 * ```ts
 * import { askUpgradeHook, flushUpgradeHookFailures } from "./upgrade_decision.ts";
 * const logged: string[] = [];
 * const logger = { error: (message: string) => void logged.push(message), warn() {} };
 * const fail = () => {
 *   throw new Error("malformed token");
 * };
 * for (let i = 0; i < 11; i++) await askUpgradeHook("route", fail, { isShuttingDown: false }, logger);
 * flushUpgradeHookFailures(logger);
 * console.assert(logged.length === 11 && logged[10].startsWith("1 more upgrade hook failures"));
 * ```
 */
export function flushUpgradeHookFailures(logger: Logger): void {
  hookFailureLogs.get(logger)?.flush();
}

function unavailable(): Response {
  return new Response("server shutting down\n", { status: 503 });
}
