/**
 * What a Bun socket's close means for the core. Bun closes a connection itself when a frame
 * breaks the WebSocket protocol or its size limit: it sends the client the right code (1002,
 * 1007, 1009) but tells the close handler 1006 and a reason that starts with "Received". Those
 * are the client's violations, reported as such (`onProtocolViolation`, then the disconnect).
 *
 * @example
 * ```ts
 * import { bunCloseCode } from "./bun_close.ts";
 * console.assert(bunCloseCode(1006, "Received an incorrectly masked frame") === 1002);
 * ```
 * @module
 */

import { CloseCode } from "../server/close_codes.ts";
import type { TransportEvents } from "../server/transport.ts";

/** RFC 6455's code for a connection closed without a close frame: never sent, only reported. */
const abnormalClosure = 1006;
/** RFC 6455's code for a text message (or close reason) that is not valid UTF-8. */
const invalidFramePayloadData = 1007;

/**
 * The close code a Bun socket's close handler should report to the core: for a close Bun made
 * itself over a bad frame (1006, "Received ..."), the code the client was sent: 1009 for a
 * message over `maxPayloadLength`, 1007 for invalid UTF-8, 1002 for the rest (a frame without
 * a mask, reserved bits, an unknown opcode, a control frame over 125 bytes, a bad close code).
 *
 * @example
 * ```ts
 * import { bunCloseCode } from "@webwire/webwire/adapters/bun";
 * console.assert(bunCloseCode(1006, "Received too big message") === 1009);
 * console.assert(bunCloseCode(1006, "Received invalid UTF-8") === 1007);
 * console.assert(bunCloseCode(1000, "") === 1000);
 * ```
 */
export function bunCloseCode(
  code: number | undefined,
  reason: string | undefined,
): number | undefined {
  if (code !== abnormalClosure || reason?.startsWith("Received ") !== true) return code;
  if (reason === "Received too big message") return CloseCode.MessageTooBig;
  if (reason === "Received invalid UTF-8") return invalidFramePayloadData;
  return CloseCode.ProtocolViolation;
}

/**
 * Hands a Bun socket's close to the core's `events`: a close Bun made over a bad frame is
 * reported as the client's violation first (`failed`), then the close.
 *
 * @example
 * ```ts
 * import { reportBunClose } from "./bun_close.ts";
 * const heard: string[] = [];
 * reportBunClose({
 *   message: () => {},
 *   drained: () => {},
 *   failed: (code, reason) => void heard.push(`failed ${code} ${reason}`),
 *   closed: (code) => void heard.push(`closed ${code}`),
 * }, 1006, "Received invalid opcode");
 * console.assert(heard.join() === "failed 1002 Received invalid opcode,closed 1002");
 * ```
 */
export function reportBunClose(
  events: TransportEvents | undefined,
  code: number | undefined,
  reason: string | undefined,
): void {
  if (events === undefined) return;
  const reported = bunCloseCode(code, reason);
  if (reported !== code && reported !== undefined) events.failed?.(reported, reason ?? "");
  events.closed(reported, reason);
}
