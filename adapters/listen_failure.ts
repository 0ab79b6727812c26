/**
 * Deno's refusals to listen (`AddrInUse`, `AddrNotAvailable`, ...) name neither the host nor the
 * port ("Address already in use (os error 98)"). The Deno adapters put them in front, keeping
 * the error's class, so that a program listening on several ports can tell which one failed.
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
    if (error instanceof Error) {
      error.message = `cannot listen on ${hostPort(hostname, port)}: ${error.message}`;
    }
    throw error;
  }
}
