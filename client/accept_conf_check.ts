/**
 * What the client checks of a server's accept-conf before it counts a connection as up: the
 * protocol's major version and the sub-protocol.
 *
 * @example
 * ```ts
 * import { verifyAcceptConf } from "./accept_conf_check.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * const conf = decodeMessage(new Uint8Array([23, 3, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]));
 * if (conf.kind === "accept-conf") console.assert(verifyAcceptConf(conf, "") !== null);
 * ```
 * @module
 */

import type { AcceptConfMessage } from "../protocol/message.ts";
import { IncompatibleProtocolVersionError, SubProtocolMismatchError } from "./errors.ts";

/**
 * Checks the accept-conf against what the client speaks.
 *
 * @example
 * ```ts
 * import { verifyAcceptConf } from "./accept_conf_check.ts";
 * import { decodeMessage } from "@webwire/webwire/protocol";
 * const conf = decodeMessage(new Uint8Array([23, 1, 0, 0x60, 0xea, 0, 0, 0, 0x20, 0, 0]));
 * if (conf.kind === "accept-conf") console.assert(verifyAcceptConf(conf, "") !== null);
 * ```
 */
export function verifyAcceptConf(
  conf: AcceptConfMessage,
  subProtocol: string,
): IncompatibleProtocolVersionError | SubProtocolMismatchError | null {
  if (conf.major !== 2) return new IncompatibleProtocolVersionError(conf.major, conf.minor);
  const actual = conf.subProtocolText;
  if (actual !== subProtocol) return new SubProtocolMismatchError(subProtocol, actual);
  return null;
}
