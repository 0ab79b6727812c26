/**
 * A short, safe summary of a schema's validation issues, for an `INVALID_PAYLOAD` error
 * reply: bounded in length whatever the input, without control characters, and without more
 * of the offending value than a schema library's own message quotes, clipped.
 *
 * @example
 * ```ts
 * import { summarizeIssues } from "@webwire/webwire/typed";
 * const summary = summarizeIssues([{ message: "Expected string", path: ["user", "name"] }]);
 * console.assert(summary === "user.name: Expected string");
 * ```
 * @module
 */

import type { StandardSchemaV1Issue } from "./standard_schema.ts";

/** Issues listed before "and N more". */
const listedIssues = 3;
/** Characters kept of one issue's message. */
const messageLength = 80;
/** Characters kept of one path key (keys of a client's JSON can be of any length). */
const keyLength = 24;

/**
 * Summarizes issues as `path: message; path: message (and N more)`, at most `maxLength`
 * characters (default 200, at least 20).
 *
 * @example
 * ```ts
 * import { summarizeIssues } from "@webwire/webwire/typed";
 * const summary = summarizeIssues([
 *   { message: "Invalid type: Expected string but received " + '"x'.repeat(10_000) },
 *   { message: "Invalid length", path: [{ key: "items" }, 3] },
 * ]);
 * console.assert(summary.length <= 200 && summary.includes("items.3: Invalid length"));
 * ```
 */
export function summarizeIssues(
  issues: ReadonlyArray<StandardSchemaV1Issue>,
  maxLength = 200,
): string {
  if (issues.length === 0) return "invalid payload";
  const parts = issues.slice(0, listedIssues).map((issue) => {
    const message = clip(clean(String(issue.message)), messageLength);
    const path = (issue.path ?? []).map((segment) => {
      const key = typeof segment === "object" && segment !== null ? segment.key : segment;
      return clip(clean(String(key)), keyLength);
    });
    return path.length === 0 ? message : `${path.join(".")}: ${message}`;
  });
  const more = issues.length > listedIssues ? ` (and ${issues.length - listedIssues} more)` : "";
  return clip(parts.join("; ") + more, Math.max(20, maxLength));
}

// deno-lint-ignore no-control-regex -- control characters are what it removes
const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function clean(text: string): string {
  return text.replace(control, " ");
}

/** Cuts to at most `max` characters (UTF-16 units) with an ellipsis, never within a pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
