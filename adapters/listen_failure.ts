/**
 * Deno's refusals to listen (`AddrInUse`, `AddrNotAvailable`, ...) name neither the host nor the
 * port ("Address already in use (os error 98)"), nor do Bun's ("Failed to start server. Is port
 * 8080 in use?", also for a hostname that does not resolve). The adapters put them in front,
 * keeping the error's class (and `code`), so that a program listening on several ports can
 * tell which one failed.
 *
 * @example
 * ```ts
 * import { listenAt } from "./listen_failure.ts";
 * const fail = () => {
 *   throw new Error("Address already in use");
 * };
 * try {
 *   listenAt(fail, "127.0.0.1", 8080);
 * } catch (error) {
 *   console.assert((error as Error).message.startsWith("cannot listen on 127.0.0.1:8080: Address"));
 * }
 * ```
 * @module
 */

import { hostPort } from "./host_port.ts";

/**
 * Returns what `listen` returns; what it throws gets "cannot listen on host:port: " in front of
 * its message (the same error object, class and stack).
 *
 * @example
 * ```ts
 * import { listenAt } from "./listen_failure.ts";
 * const listener = listenAt(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }), "127.0.0.1", 0);
 * try {
 *   const { port } = listener.addr;
 *   listenAt(() => Deno.listen({ hostname: "127.0.0.1", port }), "127.0.0.1", port);
 * } catch (error) {
 *   console.assert((error as Error).message.startsWith("cannot listen on 127.0.0.1:"));
 * }
 * listener.close();
 * ```
 */
export function listenAt<T>(listen: () => T, hostname: string, port: number): T {
  try {
    return listen();
  } catch (error) {
    throw namingAddress(error, hostname, port);
  }
}

/**
 * `error` (a failure to listen on `hostname` and `port`) with "cannot listen on host:port: " in
 * front of its message: the same object, class and stack. What is no `Error` is returned as it
 * is.
 *
 * @example
 * ```ts
 * import { namingAddress } from "./listen_failure.ts";
 * const error = namingAddress(new Error("listen EADDRINUSE"), "::1", 8080) as Error;
 * console.assert(error.message === "cannot listen on [::1]:8080: listen EADDRINUSE");
 * ```
 */
export function namingAddress(error: unknown, hostname: string, port: number): unknown {
  if (error instanceof Error) {
    error.message = `cannot listen on ${hostPort(hostname, port)}: ${error.message}`;
  }
  return error;
}
