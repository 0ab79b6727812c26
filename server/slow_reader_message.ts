/**
 * What a slow-reader close says: how much was queued for the client against `maxSendBuffer`,
 * and, when the message that went past it is larger than the limit by itself, that it was that
 * message (the client may read as fast as it can: no client can take it). Internal to the
 * server core.
 *
 * @example
 * ```ts
 * import { slowReaderMessage } from "./slow_reader_message.ts";
 * console.assert(slowReaderMessage(9000, 100, 8192).endsWith("it does not read, or not fast enough"));
 * console.assert(slowReaderMessage(9000, 8500, 8192).includes("one message of 8500 bytes"));
 * ```
 * @module
 */

/**
 * The message of the slow-reader violation: `queued` bytes counted for the client after a
 * message of `messageSize` bytes, against `limit` (`maxSendBuffer`).
 *
 * @example
 * ```ts
 * import { slowReaderMessage } from "./slow_reader_message.ts";
 * console.assert(slowReaderMessage(9000, 100, 8192).startsWith("9000 bytes queued"));
 * ```
 */
export function slowReaderMessage(queued: number, messageSize: number, limit: number): string {
  const head = `${queued} bytes queued for the client, more than maxSendBuffer (${limit})`;
  if (messageSize <= limit) return `${head}: it does not read, or not fast enough`;
  return `${head}, after one message of ${messageSize} bytes, larger than the limit by itself: ` +
    "send less in one message, or raise maxSendBuffer";
}
