/**
 * Small parts of a {@link RedisCluster}'s setup: the client it makes for a URL, its default
 * node id, and the check of its numeric options.
 *
 * @example
 * ```ts
 * import { positiveOption, randomNodeId } from "./cluster_parts.ts";
 * console.assert(/^[0-9a-f]{16}$/.test(randomNodeId()));
 * console.assert(positiveOption("nodeTtl", 5000) === 5000);
 * ```
 * @module
 */

// ioredis' own types pull in @types/node; ioredis.d.ts says why not.
// @ts-types="./ioredis.d.ts"
import { Redis } from "ioredis";
import { ownedByLibrary } from "./redis_call.ts";

/**
 * The command client a cluster node makes for a `redis://` URL: lazily connecting, reconnecting
 * for ever at most a second apart (servers outlive Redis restarts), and never sending a command
 * again after a cut (one whose reply was lost may have run: sent again, a push would be
 * delivered twice, a slot taken twice; it fails instead, and the caller is told).
 *
 * @example
 * ```ts
 * import { ownClusterClient } from "./cluster_parts.ts";
 * const client = ownClusterClient("redis://127.0.0.1:6379");
 * console.assert(client.status === "wait"); // nothing sent before the first command
 * client.disconnect();
 * ```
 */
export function ownClusterClient(url: string): Redis {
  return ownedByLibrary(
    new Redis(url, {
      lazyConnect: true,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      autoResendUnfulfilledCommands: false,
    }),
  );
}

/**
 * A node id of 16 random hex digits.
 *
 * @example
 * ```ts
 * import { randomNodeId } from "./cluster_parts.ts";
 * console.assert(randomNodeId() !== randomNodeId());
 * ```
 */
export function randomNodeId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * `value`, checked to be a positive integer.
 *
 * @throws {RangeError} naming the option `name` otherwise.
 *
 * @example
 * ```ts
 * import { positiveOption } from "./cluster_parts.ts";
 * let refused = false;
 * try {
 *   positiveOption("batchSize", 0);
 * } catch (error) {
 *   refused = error instanceof RangeError;
 * }
 * console.assert(refused);
 * ```
 */
export function positiveOption(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
