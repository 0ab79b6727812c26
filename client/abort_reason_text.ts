/**
 * The text of an `AbortSignal`'s reason, for the message of a canceled request.
 *
 * @example
 * ```ts
 * import { abortReasonText } from "./abort_reason_text.ts";
 * console.assert(abortReasonText(undefined) === "");
 * ```
 * @module
 */

/**
 * What an abort reason says, in at most 200 characters; "" for none or the default one.
 *
 * @example
 * ```ts
 * import { abortReasonText } from "./abort_reason_text.ts";
 * console.assert(abortReasonText("user left") === "user left");
 * console.assert(abortReasonText(new Error("gone")) === "gone");
 * console.assert(abortReasonText(new DOMException("aborted", "AbortError")) === "");
 * ```
 */
export function abortReasonText(reason: unknown): string {
  if (reason === undefined || reason === null) return "";
  let text: string;
  try {
    if (typeof reason === "object" && "message" in reason) {
      if ((reason as { name?: unknown }).name === "AbortError") return "";
      text = String((reason as { message: unknown }).message);
    } else {
      text = String(reason);
    }
  } catch {
    return ""; // a reason whose text cannot be read says nothing
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
