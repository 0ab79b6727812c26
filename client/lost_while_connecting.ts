/**
 * The error of a connect attempt whose connection ended after its handshake, before the
 * attempt was over (while the session was restored, or the session storage read). Internal to
 * the client.
 *
 * @example
 * ```ts
 * import { lostWhileConnecting } from "./lost_while_connecting.ts";
 * import { DisconnectedError } from "./errors.ts";
 * const closed = new DisconnectedError("the connection was closed", { code: 4000, reason: "bye" });
 * const error = lostWhileConnecting({ endError: closed });
 * console.assert(error instanceof DisconnectedError && error.code === 4000);
 * console.assert(error.cause === closed);
 * ```
 * @module
 */

import { ProtocolError } from "../protocol/protocol_error.ts";
import { DisconnectedError } from "./errors.ts";

/**
 * Why a connect attempt failed whose connection ended meanwhile (`connection.endError`): a
 * protocol violation of the server is that `ProtocolError` itself, as the requests sent on the
 * connection (the session restore among them) are rejected with it, so that the attempt fails
 * alike whether or not the violation came while a restore was on its way (with Deno's sockets,
 * a malformed frame right behind the accept-conf comes before the restore is sent; with Bun's,
 * after). Any other end is a `DisconnectedError` whose message names it and whose `cause`,
 * `code` and `reason` are its own.
 *
 * @example
 * ```ts
 * import { lostWhileConnecting } from "./lost_while_connecting.ts";
 * import { ProtocolError } from "../protocol/protocol_error.ts";
 * const malformed = new ProtocolError("unknown-type", "got byte 200");
 * console.assert(lostWhileConnecting({ endError: malformed }) === malformed);
 * ```
 */
export function lostWhileConnecting(
  connection: { readonly endError: ProtocolError | DisconnectedError | undefined },
): ProtocolError | DisconnectedError {
  const why = connection.endError;
  if (why instanceof ProtocolError) return why;
  if (why === undefined) return new DisconnectedError("the connection was lost while connecting");
  const { code, reason } = why;
  const closed = code === undefined
    ? ""
    : ` (code ${code}${reason === "" ? "" : `, ${JSON.stringify(reason)}`})`;
  return new DisconnectedError(
    `the connection was lost while connecting: ${why.message}${closed}`,
    { code, reason, cause: why },
  );
}
