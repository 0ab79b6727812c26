/**
 * How a cluster message travels between nodes on the Redis channel: one binary string of
 * kind, sending node, session key or topic, and the encoded signal as it goes to clients.
 *
 * ```text
 * kind (1 byte: 1 broadcast, 2 publish, 3 signal-session, 4 close-session)
 * node id length (1 byte) | node id (ASCII)
 * key or topic length (2 bytes, big-endian) | key or topic (UTF-8; empty for broadcast)
 * signal (the rest: a WebWire v2 signal message; empty for close-session)
 * ```
 *
 * @example
 * ```ts
 * import { decodeClusterMessage, encodeClusterMessage } from "./cluster_message.ts";
 * const bytes = encodeClusterMessage("node-a", { kind: "close-session", key: "k" });
 * const decoded = decodeClusterMessage(bytes);
 * console.assert(decoded?.from === "node-a" && decoded.message.kind === "close-session");
 * ```
 * @module
 */

import type { ClusterMessage } from "../server/cluster.ts";

const kinds = ["broadcast", "publish", "signal-session", "close-session"] as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a message of node `from`.
 *
 * @throws {RangeError} for a node id over 255 bytes or a key or topic over 65 535 bytes.
 * @example
 * ```ts
 * import { encodeClusterMessage } from "./cluster_message.ts";
 * const bytes = encodeClusterMessage("n", { kind: "broadcast", signal: new Uint8Array([22]) });
 * console.assert(bytes.length === 1 + 2 + 2 + 1);
 * ```
 */
export function encodeClusterMessage(from: string, message: ClusterMessage): Uint8Array {
  const node = encoder.encode(from);
  const target = encoder.encode(
    message.kind === "publish" ? message.topic : message.kind === "broadcast" ? "" : message.key,
  );
  const signal = message.kind === "close-session" ? new Uint8Array(0) : message.signal;
  if (node.length > 255) throw new RangeError("a node id has at most 255 bytes");
  if (target.length > 65_535) throw new RangeError("a key or topic has at most 65 535 bytes");
  const bytes = new Uint8Array(4 + node.length + target.length + signal.length);
  bytes[0] = kinds.indexOf(message.kind) + 1;
  bytes[1] = node.length;
  bytes.set(node, 2);
  let offset = 2 + node.length;
  bytes[offset] = target.length >> 8;
  bytes[offset + 1] = target.length & 0xff;
  bytes.set(target, offset + 2);
  offset += 2 + target.length;
  bytes.set(signal, offset);
  return bytes;
}

/**
 * A decoded message and the node that sent it.
 *
 * @example
 * ```ts
 * import type { ReceivedClusterMessage } from "./cluster_message.ts";
 * const received: ReceivedClusterMessage = {
 *   from: "node-b",
 *   message: { kind: "close-session", key: "k" },
 * };
 * console.assert(received.from === "node-b");
 * ```
 */
export interface ReceivedClusterMessage {
  /** The id of the sending node. */
  readonly from: string;
  /** The message; its signal is a view of the received bytes. */
  readonly message: ClusterMessage;
}

/**
 * Decodes a message; `null` for bytes that are not one (another program on the channel).
 *
 * @example
 * ```ts
 * import { decodeClusterMessage } from "./cluster_message.ts";
 * console.assert(decodeClusterMessage(new Uint8Array([9])) === null);
 * ```
 */
export function decodeClusterMessage(bytes: Uint8Array): ReceivedClusterMessage | null {
  if (bytes.length < 4) return null;
  const kind = kinds[bytes[0] - 1];
  const nodeLength = bytes[1];
  if (kind === undefined || bytes.length < 4 + nodeLength) return null;
  const from = decoder.decode(bytes.subarray(2, 2 + nodeLength));
  let offset = 2 + nodeLength;
  const targetLength = (bytes[offset] << 8) | bytes[offset + 1];
  offset += 2;
  if (bytes.length < offset + targetLength) return null;
  const target = decoder.decode(bytes.subarray(offset, offset + targetLength));
  const signal = bytes.subarray(offset + targetLength);
  switch (kind) {
    case "broadcast":
      return { from, message: { kind, signal } };
    case "publish":
      return { from, message: { kind, topic: target, signal } };
    case "signal-session":
      return { from, message: { kind, key: target, signal } };
    case "close-session":
      return { from, message: { kind, key: target } };
  }
}
