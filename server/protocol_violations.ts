/**
 * What the server does with a protocol violation of a client: it tells the logger (at a bounded
 * rate) and the `onProtocolViolation` hook, and it names the disconnect that follows. Internal
 * to the server core.
 *
 * @example
 * ```ts
 * import { disconnectReasonFor } from "./protocol_violations.ts";
 * const reason = disconnectReasonFor({ kind: "too-big", message: "2 MiB message" }, 1009);
 * console.assert(reason.kind === "message-too-big" && reason.code === 1009);
 * ```
 * @module
 */

import type { Connection } from "./connection.ts";
import type { DisconnectKind, DisconnectReason } from "./disconnect_reason.ts";
import type { ProtocolViolation } from "./options.ts";
import type { ServerContext } from "./server_context.ts";

/**
 * Tells the server's violation log and its `onProtocolViolation` hook (a hook that fails is
 * logged at its 1st, 10th, 100th, ... failure, not passed on).
 *
 * @example
 * ```ts
 * import { reportViolation } from "./protocol_violations.ts";
 * import { Connection, type ConnectionHost } from "@webwire/webwire/server";
 * import { RateLimitedLog } from "./rate_limited_log.ts";
 * import { HookFailures } from "./hook_failures.ts";
 * const kinds: string[] = [];
 * const server = {
 *   violationLog: new RateLimitedLog(console, { max: 10, windowMs: 10_000, what: "violations" }),
 *   hooks: { onProtocolViolation: (_: Connection, v: { kind: string }) => void kinds.push(v.kind) },
 *   hookFailures: new HookFailures(console),
 * };
 * const connection = new Connection({} as ConnectionHost, {}, "203.0.113.7");
 * reportViolation(server, connection, { kind: "unexpected-message", message: "a reply; ignored" });
 * console.assert(kinds[0] === "unexpected-message");
 * ```
 */
export function reportViolation(
  server: Pick<ServerContext, "violationLog" | "hooks" | "hookFailures">,
  connection: Connection,
  violation: ProtocolViolation,
): void {
  server.violationLog.warn(
    `protocol violation from ${connection.remoteAddress || "a client"}: ${violation.message}`,
  );
  const { onProtocolViolation } = server.hooks;
  if (onProtocolViolation === undefined) return;
  server.hookFailures.call("onProtocolViolation", () => onProtocolViolation(connection, violation));
}

/**
 * The disconnect a violation leads to, closing with `code`: `message-too-big`, `flood` and
 * `slow-reader` have kinds of their own, the others are `protocol-violation`.
 *
 * @example
 * ```ts
 * import { disconnectReasonFor } from "./protocol_violations.ts";
 * const reason = disconnectReasonFor({ kind: "malformed", message: "truncated header" }, 1002);
 * console.assert(reason.kind === "protocol-violation" && reason.message === "truncated header");
 * ```
 */
export function disconnectReasonFor(
  violation: ProtocolViolation,
  code: number,
): DisconnectReason {
  const kind: DisconnectKind = violation.kind === "too-big"
    ? "message-too-big"
    : violation.kind === "flood" || violation.kind === "slow-reader"
    ? violation.kind
    : "protocol-violation";
  return { kind, code, message: violation.message };
}
