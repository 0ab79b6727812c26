/**
 * How the suites name a program under test that could not be started at all.
 *
 * @example
 * ```ts
 * import { startFailureMessage } from "./start_failure.ts";
 * const message = startFailureMessage("decoder", ["./decode", "--hex"], "EACCES");
 * console.assert(message === 'cannot start the decoder "./decode --hex": not executable (EACCES)');
 * ```
 * @module
 */

/**
 * `cannot start the <role> "<command>": <why>`, with the system's `reason` (`ENOENT`, `EACCES`,
 * ...) said in words for the two a user meets most.
 *
 * @example
 * ```ts
 * import { startFailureMessage } from "./start_failure.ts";
 * const message = startFailureMessage("client", ["./my-client"], "ENOENT");
 * console.assert(message === 'cannot start the client "./my-client": not found (ENOENT)');
 * ```
 */
export function startFailureMessage(
  role: string,
  command: readonly string[],
  reason: string,
): string {
  const why = reason === "ENOENT"
    ? "not found (ENOENT)"
    : reason === "EACCES"
    ? "not executable (EACCES)"
    : reason;
  return `cannot start the ${role} "${command.join(" ")}": ${why}`;
}
