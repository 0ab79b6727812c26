/**
 * The Lua scripts of the Redis cluster, each one round trip and atomic. Which node holds a
 * session is a hash `<prefix>holders:<key>` of node id to its number of connections; a node is
 * alive while its key `<prefix>node:<id>` exists (a TTL that the node's heartbeat refreshes).
 * The count of a session's connections is the sum over live nodes; the fields of dead nodes
 * are removed as they are met. Signals kept for a session that no node holds are a list
 * `<prefix>offline:<key>` of entries: 8 bytes of the time kept (Unix ms, big-endian) and the
 * signal.
 *
 * These scripts touch node keys that they compute from the prefix, so they need a standalone
 * Redis (or Valkey, or a Sentinel setup), not a sharded Redis Cluster.
 *
 * @example
 * ```ts
 * import { acquireSlotScript } from "./cluster_scripts.ts";
 * console.assert(acquireSlotScript.lua.includes("HINCRBY"));
 * ```
 * @module
 */

import { RedisScript } from "./redis_script.ts";

/** Lua: the number of connections on live nodes of holders hash KEYS[1], pruning dead nodes. */
const liveHolders = `
local function live(holders, nodePrefix)
  local fields = redis.call('HGETALL', holders)
  local sum = 0
  for i = 1, #fields, 2 do
    if redis.call('EXISTS', nodePrefix .. fields[i]) == 1 then
      sum = sum + tonumber(fields[i + 1])
    else
      redis.call('HDEL', holders, fields[i])
    end
  end
  return sum
end
`;

/**
 * Takes a slot. `KEYS[1]` holders; `ARGV` node prefix, node id, max (0 unlimited). Returns 1
 * when taken, 0 when every slot is taken.
 *
 * @example
 * ```ts
 * import { acquireSlotScript } from "./cluster_scripts.ts";
 * console.assert(acquireSlotScript.sha1.length === 40);
 * ```
 */
export const acquireSlotScript: RedisScript = new RedisScript(`${liveHolders}
local max = tonumber(ARGV[3])
if max > 0 and live(KEYS[1], ARGV[1]) >= max then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
return 1
`);

/**
 * Gives back a slot. `KEYS[1]` holders; `ARGV` node prefix, node id. Returns the connections
 * left on live nodes.
 *
 * @example
 * ```ts
 * import { releaseSlotScript } from "./cluster_scripts.ts";
 * console.assert(releaseSlotScript.lua.includes("HDEL"));
 * ```
 */
export const releaseSlotScript: RedisScript = new RedisScript(`${liveHolders}
if redis.call('HINCRBY', KEYS[1], ARGV[2], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[2]) end
return live(KEYS[1], ARGV[1])
`);

/**
 * Counts a session's connections. `KEYS[1]` holders; `ARGV[1]` node prefix.
 *
 * @example
 * ```ts
 * import { countHoldersScript } from "./cluster_scripts.ts";
 * console.assert(countHoldersScript.lua.includes("live"));
 * ```
 */
export const countHoldersScript: RedisScript = new RedisScript(`${liveHolders}
return live(KEYS[1], ARGV[1])
`);

/**
 * A signal to a session: published when a live node holds it, else kept. `KEYS` holders,
 * offline list; `ARGV` node prefix, channel, cluster message, offline entry, max count, max
 * age in ms. Returns -1 when published, else how many older signals the count bound dropped.
 *
 * @example
 * ```ts
 * import { signalSessionScript } from "./cluster_scripts.ts";
 * console.assert(signalSessionScript.lua.includes("RPUSH"));
 * ```
 */
export const signalSessionScript: RedisScript = new RedisScript(`${liveHolders}
if live(KEYS[1], ARGV[1]) > 0 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return -1
end
local length = redis.call('RPUSH', KEYS[2], ARGV[4])
local max = tonumber(ARGV[5])
local dropped = 0
if length > max then
  redis.call('LTRIM', KEYS[2], length - max, -1)
  dropped = length - max
end
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return dropped
`);

/**
 * Takes the signals kept for a session. `KEYS[1]` the offline list. Returns its entries,
 * oldest first, and deletes it.
 *
 * @example
 * ```ts
 * import { takeOfflineScript } from "./cluster_scripts.ts";
 * console.assert(takeOfflineScript.lua.includes("LRANGE"));
 * ```
 */
export const takeOfflineScript: RedisScript = new RedisScript(`
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return entries
`);
