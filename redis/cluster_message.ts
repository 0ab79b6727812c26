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
 * Several messages of one node travel as one batch, in order (one Redis `PUBLISH` for what a
 * node sends without awaiting in between):
 *
 * ```text
 * 5 (batch) | node id length (1 byte) | node id (ASCII)
 * then for each message: its length (4 bytes, big-endian) | the message, node id empty
 * ```
 *
 * Nodes of versions before batches ignore a batch (its kind is unknown to them).
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
  return encodeWithPrefix(nodeIdBytes(from), message, 0);
}

/**
 * The start of a batch of node `from`: kind 5 and the node id. Its messages follow, each
 * encoded by {@link encodeBatchEntry}.
 *
 * @throws {RangeError} for a node id over 255 bytes.
 * @example
 * ```ts
 * import { batchHeader, decodeClusterMessages, encodeBatchEntry } from "./cluster_message.ts";
 * const close = encodeBatchEntry({ kind: "close-session", key: "k" });
 * const batch = new Uint8Array([...batchHeader("node-a"), ...close, ...close]);
 * console.assert(decodeClusterMessages(batch)?.messages.length === 2);
 * ```
 */
export function batchHeader(from: string): Uint8Array {
  const node = nodeIdBytes(from);
  const bytes = new Uint8Array(2 + node.length);
  bytes[0] = batchKind;
  bytes[1] = node.length;
  bytes.set(node, 2);
  return bytes;
}

/**
 * One message of a batch: its length (4 bytes, big-endian), then the message with an empty
 * node id (the batch's header names the node).
 *
 * @throws {RangeError} for a key or topic over 65 535 bytes.
 * @example
 * ```ts
 * import { encodeBatchEntry } from "./cluster_message.ts";
 * const entry = encodeBatchEntry({ kind: "broadcast", signal: new Uint8Array([22]) });
 * console.assert(entry.length === 4 + 1 + 1 + 2 + 1);
 * ```
 */
export function encodeBatchEntry(message: ClusterMessage): Uint8Array {
  return encodeWithPrefix(noNode, message, 4);
}

/**
 * The lone message of node `from` (as {@link encodeClusterMessage} makes it) out of its batch
 * entry, without encoding it again: `header` is the node's {@link batchHeader}.
 *
 * @example
 * ```ts
 * import {
 *   batchHeader,
 *   encodeBatchEntry,
 *   encodeClusterMessage,
 *   loneMessage,
 * } from "./cluster_message.ts";
 * const message = { kind: "close-session", key: "k" } as const;
 * const lone = loneMessage(batchHeader("n"), encodeBatchEntry(message));
 * console.assert(lone.join() === encodeClusterMessage("n", message).join());
 * ```
 */
export function loneMessage(header: Uint8Array, entry: Uint8Array): Uint8Array {
  // The entry: length (4) | kind | node id length 0 | target length (2) | target | signal.
  const bytes = new Uint8Array(header.length + entry.length - 6);
  bytes.set(header, 0);
  bytes[0] = entry[4];
  bytes.set(entry.subarray(6), header.length);
  return bytes;
}

const batchKind = 5;
const noNode = new Uint8Array(0);

function nodeIdBytes(from: string): Uint8Array {
  const node = encoder.encode(from);
  if (node.length > 255) throw new RangeError("a node id has at most 255 bytes");
  return node;
}

/** The message after `prefix` bytes, which hold its length (big-endian) when there are 4. */
function encodeWithPrefix(node: Uint8Array, message: ClusterMessage, prefix: 0 | 4): Uint8Array {
  const target = encoder.encode(
    message.kind === "publish" ? message.topic : message.kind === "broadcast" ? "" : message.key,
  );
  const signal = message.kind === "close-session" ? noNode : message.signal;
  if (target.length > 65_535) throw new RangeError("a key or topic has at most 65 535 bytes");
  const length = 4 + node.length + target.length + signal.length;
  const bytes = new Uint8Array(prefix + length);
  if (prefix === 4) new DataView(bytes.buffer).setUint32(0, length);
  bytes[prefix] = kinds.indexOf(message.kind) + 1;
  bytes[prefix + 1] = node.length;
  bytes.set(node, prefix + 2);
  let offset = prefix + 2 + node.length;
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

/**
 * The messages of a node as they came off the channel: one, or the messages of a batch in
 * order.
 *
 * @example
 * ```ts
 * import type { ReceivedClusterMessages } from "./cluster_message.ts";
 * const received: ReceivedClusterMessages = { from: "node-b", messages: [] };
 * console.assert(received.messages.length === 0);
 * ```
 */
export interface ReceivedClusterMessages {
  /** The id of the sending node. */
  readonly from: string;
  /**
   * The messages, in the order they were sent; a lone message's signal is a view of the
   * received bytes, a batch's signals are copies.
   */
  readonly messages: readonly ClusterMessage[];
}

/**
 * Decodes a message or a batch; `null` for bytes that are neither, or a batch with a bad
 * entry (nothing of it is delivered: its bytes were not written by a node).
 *
 * @example
 * ```ts
 * import { decodeClusterMessages, encodeClusterMessage } from "./cluster_message.ts";
 * const one = encodeClusterMessage("n", { kind: "close-session", key: "k" });
 * console.assert(decodeClusterMessages(one)?.messages[0].kind === "close-session");
 * console.assert(decodeClusterMessages(new Uint8Array([5, 1])) === null);
 * ```
 */
export function decodeClusterMessages(bytes: Uint8Array): ReceivedClusterMessages | null {
  if (bytes[0] !== batchKind) {
    const single = decodeClusterMessage(bytes);
    return single === null ? null : { from: single.from, messages: [single.message] };
  }
  if (bytes.length < 2 || bytes.length < 2 + bytes[1]) return null;
  const from = decoder.decode(bytes.subarray(2, 2 + bytes[1]));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: ClusterMessage[] = [];
  let offset = 2 + bytes[1];
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return null;
    const end = offset + 4 + view.getUint32(offset);
    if (end > bytes.length) return null;
    const entry = decodeClusterMessage(bytes.subarray(offset + 4, end));
    if (entry === null || entry.from !== "") return null;
    const message = entry.message;
    // A copy: a signal kept for a slow reader must not keep the whole frame alive.
    messages.push("signal" in message ? { ...message, signal: message.signal.slice() } : message);
    offset = end;
  }
  return { from, messages };
}
