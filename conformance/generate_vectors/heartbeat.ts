/**
 * Heartbeats (type 33): exactly one byte, and the too-long ones receivers reject.
 *
 * @example
 * ```ts
 * import { addHeartbeatVectors } from "./heartbeat.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addHeartbeatVectors(set);
 * console.assert(set.vectors.length === 3);
 * ```
 * @module
 */

import { cat } from "./bytes.ts";
import type { Built } from "./built_message.ts";
import { ids } from "./samples.ts";
import type { VectorSet } from "./vector_set.ts";

/**
 * Heartbeat: exactly the type byte 33.
 *
 * @example
 * ```ts
 * import { heartbeat } from "./heartbeat.ts";
 * console.assert(heartbeat.bytes[0] === 33);
 * ```
 */
export const heartbeat: Built = {
  bytes: cat(33),
  sender: "client",
  expect: { type: 33, kind: "heartbeat" },
};

/**
 * Adds every heartbeat vector to `set`.
 *
 * @example
 * ```ts
 * import { addHeartbeatVectors } from "./heartbeat.ts";
 * import { VectorSet } from "./vector_set.ts";
 * const set = new VectorSet();
 * addHeartbeatVectors(set);
 * console.assert(set.files.has("heartbeat/valid.bin"));
 * ```
 */
export function addHeartbeatVectors(set: VectorSet): void {
  set.valid("heartbeat/valid", "heartbeat: exactly 1 byte", heartbeat);
  set.invalid("heartbeat/len2", "heartbeat of 2 bytes", "client", cat(33, 0), "bad-length");
  set.invalid("heartbeat/len9", "heartbeat with an id", "client", cat(33, ids.first), "bad-length");
}
