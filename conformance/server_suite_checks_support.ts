/**
 * Everything the live server suite's checks are written with, in one import: failures and
 * {@link expect}, skips (`server_suite_failure.ts`), byte helpers (`server_suite_bytes.ts`), the
 * wire-level connection (`server_suite_connection.ts`), the check context
 * (`server_suite_context.ts`) and the shared reply assertions (`server_suite_replies.ts`).
 *
 * @example
 * ```ts
 * import { CheckFailure, expect } from "./server_suite_checks_support.ts";
 * try {
 *   expect(1 + 1 === 3, "arithmetic is broken");
 * } catch (error) {
 *   console.assert(error instanceof CheckFailure);
 * }
 * ```
 * @module
 */

export { hex, randomBytes, sameBytes, utf16le } from "./server_suite_bytes.ts";
export { type Closure, type Frame, SuiteConnection } from "./server_suite_connection.ts";
export { CheckContext, type ServerCheck } from "./server_suite_context.ts";
export { CheckFailure, CheckSkipped, expect } from "./server_suite_failure.ts";
export {
  describe,
  expectEchoReplies,
  expectPayloadReply,
  nextReply,
  replyType,
} from "./server_suite_replies.ts";
