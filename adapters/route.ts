/**
 * The routing that `serveDeno`, `serveBun` and `serveNode` share: WebWire on one path (or on
 * every path), every other request to a fallback HTTP handler.
 *
 * @example
 * ```ts
 * import { routeFor } from "./route.ts";
 * const route = routeFor({ path: "/ws", fallback: () => new Response("the page") });
 * console.assert(route.isEndpoint("/ws?token=1"));
 * console.assert(!route.isEndpoint("/"));
 * console.assert((await route.fallback(new Request("http://localhost/"))).status === 200);
 * ```
 * @module
 */

import { hostPort } from "./host_port.ts";
import type { Logger } from "../protocol/logger.ts";
import { PowersOfTenLog } from "../protocol/powers_of_ten_log.ts";

/**
 * What answers an HTTP request that is not for the WebWire endpoint.
 *
 * @example
 * ```ts
 * import type { FallbackHandler } from "@webwire/webwire/adapters/deno";
 * const page: FallbackHandler = () =>
 *   new Response("<h1>chat</h1>", { headers: { "content-type": "text/html" } });
 * console.assert((await page(new Request("http://localhost/"))).status === 200);
 * ```
 */
export type FallbackHandler = (request: Request) => Response | Promise<Response>;

/**
 * A server's routing, from the `path` and `fallback` of its listen options.
 *
 * @example
 * ```ts
 * import type { Route } from "./route.ts";
 * const everywhere: Route = {
 *   path: "/",
 *   isEndpoint: () => true,
 *   fallback: () => new Response(null, { status: 404 }),
 *   failed: () => new Response(null, { status: 500 }),
 *   bodyFailed: (error) => console.error(error),
 * };
 * console.assert(everywhere.isEndpoint("/anything"));
 * ```
 */
export interface Route {
  /** The path to put in the WebSocket URL: the endpoint's, or `/` when it is on every path. */
  readonly path: string;
  /** Whether a request target (`/ws?x=1`, or a whole URL) is for the WebWire endpoint. */
  isEndpoint(target: string): boolean;
  /** Answers every other request. */
  fallback: FallbackHandler;
  /**
   * The answer when answering failed before anything was sent (the fallback threw, or its
   * body failed at once): 500, the failure logged at its 1st, 10th, 100th, ... time.
   */
  failed(error: unknown): Response;
  /**
   * Logs a fallback body that failed after its head was sent (the client sees it cut short), at
   * its 1st, 10th, 100th, ... time. Deno's and Bun's own servers print such a failure
   * themselves: only the adapters that write the body call this.
   */
  bodyFailed(error: unknown): void;
}

const notFound: FallbackHandler = () => new Response("not found\n", { status: 404 });

/**
 * Makes the routing for `path` (default: WebWire on every path) and `fallback` (default: 404).
 * A fallback that throws or rejects, or whose body fails at once (its first read already
 * failed when looked at), is answered 500 (`internal server error`), logged on `logger` at its 1st, 10th, 100th, ... failure: never
 * a runtime's own error page, which can show the error and its stack to the client (Bun's,
 * outside production).
 *
 * @throws {TypeError} when `path` does not start with `/`, or a `fallback` comes without a
 * `path` (it would never be called).
 * @example
 * ```ts
 * import { routeFor } from "./route.ts";
 * const route = routeFor({});
 * console.assert(route.isEndpoint("/any/path") && route.path === "/");
 * const response = await routeFor({ path: "/ws" }).fallback(new Request("http://localhost/x"));
 * console.assert(response.status === 404);
 * ```
 */
export function routeFor(
  options: { path?: string; fallback?: FallbackHandler },
  logger: Logger = console,
): Route {
  const { path, fallback } = options;
  if (path === undefined) {
    if (fallback !== undefined) {
      throw new TypeError(
        "a fallback needs a path for the WebSocket endpoint: without one, WebWire answers every path",
      );
    }
    return {
      path: "/",
      isEndpoint: () => true,
      fallback: notFound,
      failed: failure(logger),
      bodyFailed: bodyFailure(logger),
    };
  }
  if (!path.startsWith("/")) {
    throw new TypeError(`the WebSocket path must start with "/"; got ${JSON.stringify(path)}`);
  }
  const failed = failure(logger);
  return {
    path,
    isEndpoint: (target) => pathname(target) === path,
    fallback: fallback === undefined ? notFound : guarded(fallback, failed),
    failed,
    bodyFailed: bodyFailure(logger),
  };
}

/** Logs `message (N so far)` at a failure's 1st, 10th, 100th, ... time; never throws. */
function countedLog(logger: Logger, message: string): (error: unknown) => void {
  const failures = new PowersOfTenLog();
  return (error) => {
    if (!failures.tally()) return;
    try {
      logger.error(`${message} (${failures.count} so far)`, error);
    } catch {
      // What is answered does not depend on the logger.
    }
  };
}

/** See {@link Route.bodyFailed}. */
function bodyFailure(logger: Logger): (error: unknown) => void {
  return countedLog(logger, "fallback response body failed");
}

/** The 500 answer of a failed fallback, each failure counted; see {@link routeFor}. */
function failure(logger: Logger): (error: unknown) => Response {
  const log = countedLog(logger, "fallback failed");
  return (error) => {
    log(error);
    return new Response("internal server error\n", { status: 500 });
  };
}

/** `fallback`, answering 500 where it throws or rejects; see {@link routeFor}. */
function guarded(fallback: FallbackHandler, failed: (error: unknown) => Response): FallbackHandler {
  return async (request) => {
    try {
      return await fallback(request);
    } catch (error) {
      return failed(error);
    }
  };
}

/**
 * The path of a request target, which is a whole URL for a `Request` and the path for Node and
 * Deno's own TCP, normalized as a `Request`'s URL is (`/./ws`, `/x/../ws` and `/%2e/ws` are
 * `/ws`), so that every adapter routes a target alike; an origin-form target that starts with
 * `//` stays a path.
 */
function pathname(target: string): string {
  try {
    return new URL(target.startsWith("/") ? `http://host${target}` : target).pathname;
  } catch {
    return "";
  }
}

/**
 * The WebSocket URL that clients of a server on `hostname:port` use for `route`'s endpoint.
 *
 * @example
 * ```ts
 * import { routeFor, wsUrl } from "./route.ts";
 * console.assert(wsUrl("::1", 8080, routeFor({ path: "/ws" })) === "ws://[::1]:8080/ws");
 * // A hostname given in brackets already keeps one pair.
 * console.assert(wsUrl("[::1]", 8080, routeFor({})) === "ws://[::1]:8080/");
 * ```
 */
export function wsUrl(hostname: string, port: number, route: Route): string {
  return `ws://${hostPort(hostname, port)}${route.path}`;
}
