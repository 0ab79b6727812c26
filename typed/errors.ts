/**
 * The error codes of the typed layer's error replies, and the error a payload that is not
 * what its encoding promises raises.
 *
 * @example
 * ```ts
 * import { TypedErrorCode } from "@webwire/webwire/typed";
 * console.assert(TypedErrorCode.UnknownRequest === "UNKNOWN_REQUEST");
 * ```
 * @module
 */

import { WebwireError } from "../protocol/webwire_error.ts";

/**
 * The codes of the error replies (type 0) a typed router sends, and of the `RequestError`s
 * that its `onRejectedSignal` hook is given for signals:
 *
 * | code | when |
 * |---|---|
 * | `UNKNOWN_REQUEST` | the contract has no request of that name |
 * | `UNKNOWN_SIGNAL` | the contract has no client signal of that name (signals only) |
 * | `BAD_PAYLOAD` | a UTF-8 or UTF-16 payload that is not valid text or not JSON (1) |
 * | `INVALID_PAYLOAD` | the payload failed its schema (the message summarizes the issues) (2) |
 *
 * (1) Also JSON with a `"__proto__"` key, and a binary payload to a contract declared as a type
 * (which takes JSON only). (2) Also a payload whose schema threw instead of returning issues:
 * logged on the server as the schema's failure, the client told only that it was not checked.
 *
 * @example
 * ```ts
 * import { RequestError } from "@webwire/webwire/protocol";
 * import { TypedErrorCode } from "@webwire/webwire/typed";
 * function explain(error: RequestError): string {
 *   return error.code === TypedErrorCode.InvalidPayload ? `rejected: ${error.message}` : "other";
 * }
 * console.assert(explain(new RequestError("INVALID_PAYLOAD", "text: too long")).length > 0);
 * ```
 */
export const TypedErrorCode = {
  UnknownRequest: "UNKNOWN_REQUEST",
  UnknownSignal: "UNKNOWN_SIGNAL",
  BadPayload: "BAD_PAYLOAD",
  InvalidPayload: "INVALID_PAYLOAD",
} as const;

/**
 * A code from {@link TypedErrorCode}.
 *
 * @example
 * ```ts
 * import type { TypedErrorCodeValue } from "@webwire/webwire/typed";
 * const code: TypedErrorCodeValue = "BAD_PAYLOAD";
 * console.assert(code === "BAD_PAYLOAD");
 * ```
 */
export type TypedErrorCodeValue = typeof TypedErrorCode[keyof typeof TypedErrorCode];

/**
 * A payload in a text encoding (UTF-8 or UTF-16) that is not valid text or not well-formed
 * JSON, or is JSON with a `"__proto__"` key. The router answers it with a `BAD_PAYLOAD` error
 * reply; a typed client's request rejects with it when the server's reply is such a payload.
 *
 * @example
 * ```ts
 * import { Payload } from "@webwire/webwire/protocol";
 * import { BadPayloadError } from "@webwire/webwire/typed";
 * import { decodeValue } from "@webwire/webwire/typed";
 * try {
 *   decodeValue(Payload.from("{oops"));
 * } catch (error) {
 *   console.assert(error instanceof BadPayloadError);
 * }
 * ```
 */
export class BadPayloadError extends WebwireError {
  /** Always "BadPayloadError", also in minified bundles. */
  override readonly name: string = "BadPayloadError";
}
