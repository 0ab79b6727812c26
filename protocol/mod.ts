/**
 * The WebWire v2 binary codec: zero-copy decoding of every message type into views of the
 * input, and encoders that size each message once and write it into one buffer. Portable: no
 * runtime globals beyond `TextEncoder`/`TextDecoder`.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeRequest, RequestIdCounter } from "./mod.ts";
 * const ids = new RequestIdCounter();
 * const bytes = encodeRequest({ id: ids.next(), name: "echo", payload: "hi" });
 * const message = decodeMessage(bytes);
 * if (message.kind === "request") {
 *   console.assert(message.nameText === "echo" && message.encoding === "utf8");
 * }
 * ```
 * @module
 */

export * from "./message_type.ts";
export * from "./protocol_error.ts";
export * from "./message.ts";
export * from "./decode.ts";
export * from "./encode_payload_message.ts";
export * from "./encode_control_message.ts";
export * from "./encode_message.ts";
export * from "./request_id.ts";
export * from "./timestamp.ts";
export * from "./session_json.ts";
export { decodeText } from "./text.ts";
export type { PayloadInput } from "./payload_writer.ts";
export * from "./payload.ts";
export * from "./request_error.ts";
export * from "./webwire_error.ts";
export * from "./logger.ts";
