/**
 * The Lua scripts of the Redis cluster's pushes, each one round trip and atomic (those of the
 * session slots are in `slot_scripts.ts`). Signals kept for a session that no node holds are a list
 * `<prefix>offline:<key>` of entries: 8 bytes of the time kept (Unix ms, big-endian) and the
 * signal.
 *
 * These scripts touch node keys that they compute from the prefix, so they need a standalone
 * Redis (or Valkey, or a Sentinel setup), not a sharded Redis Cluster.
 *
 * @example
 * ```ts
 * import { takeOfflineScript } from "./cluster_scripts.ts";
 * console.assert(takeOfflineScript.lua.includes("LRANGE"));
 * ```
 * @module
 */

import { RedisScript } from "./redis_script.ts";
import { liveHolders, releaseSlot } from "./slot_scripts.ts";

/**
 * Lua: `bound(list, length, max, maxAge)` keeps the newest `max` of a session's kept signals
 * (`length` of them now), sets the list to expire after `maxAge` ms and returns how many went.
 */
const boundKept = `
local function bound(list, length, max, maxAge)
  local dropped = 0
  if length > max then
    redis.call('LTRIM', list, length - max, -1)
    dropped = length - max
  end
  redis.call('PEXPIRE', list, maxAge)
  return dropped
end
`;

/**
 * A signal to a session: published when a live node holds it, else kept. `KEYS` holders,
 * offline list; `ARGV` node prefix, channel, cluster message, offline entry, max count, max
 * age in ms, 1 for a signal delivered already (never published: dropped when held). Returns -1
 * when published (or dropped), else how many older signals the count bound dropped.
 *
 * @example
 * ```ts
 * import { signalSessionScript } from "./cluster_scripts.ts";
 * console.assert(signalSessionScript.lua.includes("RPUSH"));
 * ```
 */
export const signalSessionScript: RedisScript = new RedisScript(`${liveHolders}${boundKept}
if live(KEYS[1], ARGV[1]) > 0 then
  if ARGV[7] ~= '1' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
  return -1
end
local length = redis.call('RPUSH', KEYS[2], ARGV[4])
return bound(KEYS[2], length, tonumber(ARGV[5]), ARGV[6])
`);

/**
 * A batch of a node's messages, in order, as one `PUBLISH` of a batch frame: each session
 * signal is published when a live node holds its session, else kept (as
 * {@link signalSessionScript} decides it); each close of a session deletes its kept signals
 * and is published; every other message is published. A session signal that Redis refuses (a
 * key of the wrong type under the prefix, no memory left to keep it) is left out, and the
 * others still go.
 *
 * - `ARGV`: node prefix, channel, the batch's header, max count, max age in ms, the ops (one
 *   letter per message: `s` session signal, `d` one delivered already (kept when nobody holds
 *   the session, else dropped: never published), `c` close, `p` anything else), then per
 *   message its batch entry, and for an `s` or `d` its offline entry after it.
 * - `KEYS`: for each `s` or `d` the session's holders and its offline list, for each `c` its
 *   offline list, in the order of the ops.
 * - Returns an array: how many older kept signals the count bound dropped, then for each
 *   session signal left out its index in the batch (from 0) and Redis's error message.
 *
 * @example
 * ```ts
 * import { relayBatchScript } from "./cluster_scripts.ts";
 * // Each session signal is kept or published under pcall: one Redis refuses fails alone.
 * console.assert(relayBatchScript.lua.includes("pcall(signal, key, arg, "));
 * ```
 */
export const relayBatchScript: RedisScript = new RedisScript(`${liveHolders}${boundKept}
local ops = ARGV[6]
local max = tonumber(ARGV[4])
local parts = { ARGV[3] }
local liveOf = {}
local reply = { 0 }
local function signal(key, arg, delivered)
  local count = liveOf[KEYS[key]]
  if count == nil then
    count = live(KEYS[key], ARGV[1])
    liveOf[KEYS[key]] = count
  end
  if count > 0 then
    if not delivered then parts[#parts + 1] = ARGV[arg] end
    return 0
  end
  local length = redis.call('RPUSH', KEYS[key + 1], ARGV[arg + 1])
  return bound(KEYS[key + 1], length, max, ARGV[5])
end
local key, arg = 1, 7
for i = 1, #ops do
  local op = string.sub(ops, i, i)
  if op == 's' or op == 'd' then
    local ok, result = pcall(signal, key, arg, op == 'd')
    if ok then
      reply[1] = reply[1] + result
    else
      reply[#reply + 1] = i - 1
      -- Redis 7.0 hands pcall the error as a string, later versions as a table { err = ... }.
      reply[#reply + 1] = type(result) == 'table' and result.err or tostring(result)
    end
    key = key + 2
    arg = arg + 2
  else
    if op == 'c' then
      redis.call('DEL', KEYS[key])
      key = key + 1
    end
    parts[#parts + 1] = ARGV[arg]
    arg = arg + 1
  end
end
if #parts > 1 then redis.call('PUBLISH', ARGV[2], table.concat(parts)) end
return reply
`);

/**
 * Takes the signals kept for a session. `KEYS` the offline list, the take's own key; `ARGV`
 * the time in ms that key lives. Returns the list's entries, oldest first, and moves the list
 * to the take's key: a node whose reply was lost (a hung Redis runs the take when it wakes)
 * gives them back from there with {@link recoverTakeScript}; one that got the reply deletes it.
 *
 * @example
 * ```ts
 * import { takeOfflineScript } from "./cluster_scripts.ts";
 * console.assert(takeOfflineScript.lua.includes("RENAME"));
 * ```
 */
export const takeOfflineScript: RedisScript = new RedisScript(`
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
if #entries > 0 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return entries
`);

/**
 * Gives back what a take whose reply was lost moved to its key. `KEYS` the session's holders,
 * the take's key, the offline list; `ARGV` node prefix, max count, max age in ms. When a live
 * node holds the session, returns the entries for the caller to deliver, and leaves the take's
 * key until the caller's {@link returnOfflineScript} deletes it as it delivers them (a failure
 * leaves them there for the next try); else keeps them again ahead of what was kept since (they
 * are older) and returns an empty array. Returns `0` when the take's key does not exist (the
 * take has not run, or it was given back already).
 *
 * @example
 * ```ts
 * import { recoverTakeScript } from "./cluster_scripts.ts";
 * console.assert(recoverTakeScript.lua.includes("LPUSH"));
 * ```
 */
export const recoverTakeScript: RedisScript = new RedisScript(`${liveHolders}${boundKept}
local entries = redis.call('LRANGE', KEYS[2], 0, -1)
if #entries == 0 then return 0 end
if live(KEYS[1], ARGV[1]) > 0 then return entries end
redis.call('DEL', KEYS[2])
local length = 0
for i = #entries, 1, -1 do length = redis.call('LPUSH', KEYS[3], entries[i]) end
bound(KEYS[3], length, tonumber(ARGV[2]), ARGV[3])
return {}
`);

/**
 * Gives back signals a restore took but could not deliver, and those that came while it held
 * the session's slot. `KEYS` holders, offline list, and optionally the key of a take whose
 * reply was lost (deleted in the same step: see {@link recoverTakeScript}); `ARGV` node prefix,
 * channel, the batch of
 * the taken ones' cluster messages (empty when none), max count, max age in ms, then the offline
 * entries of the taken ones and of the held ones after them, oldest first. When a live node
 * holds the session the taken ones are published (the held ones reached every holder when first
 * sent: never twice), else all are put back at the head of the list, in order (they are older
 * than what was kept since), the oldest dropped past the count bound. Returns -1 when published,
 * else how many were dropped.
 *
 * @example
 * ```ts
 * import { returnOfflineScript } from "./cluster_scripts.ts";
 * console.assert(returnOfflineScript.lua.includes("LPUSH"));
 * ```
 */
export const returnOfflineScript: RedisScript = new RedisScript(`${liveHolders}${boundKept}
if KEYS[3] then redis.call('DEL', KEYS[3]) end
if live(KEYS[1], ARGV[1]) > 0 then
  if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
  return -1
end
local length = 0
for i = #ARGV, 6, -1 do length = redis.call('LPUSH', KEYS[2], ARGV[i]) end
return bound(KEYS[2], length, tonumber(ARGV[4]), ARGV[5])
`);

/**
 * Gives back a slot (as `releaseSlotScript`) and, in the same step, what a restore that gave up
 * while it held the slot did not deliver: the signals it took of those kept for the session, and
 * those that reached every holder while it held the slot. `KEYS` holders, the node's slots set,
 * the released hash, the nodes set, the offline list; `ARGV` node prefix, node id, session key,
 * a token, max count, max age in ms, channel, the batch of the taken ones' cluster messages
 * (empty when none), how many were taken, then the offline entries of the taken ones and of the
 * held ones after them, oldest first. When a live node holds the session after the release, the
 * taken ones are published (the held ones reached every holder when first sent: never twice);
 * else the taken ones go back at the head of the list (they are older than what was kept since)
 * and the held ones at its tail. Returns the live holders left and how many older kept signals
 * the count bound dropped.
 *
 * @example
 * ```ts
 * import { releaseKeepingScript } from "./cluster_scripts.ts";
 * console.assert(releaseKeepingScript.lua.includes("release_slot()"));
 * ```
 */
export const releaseKeepingScript: RedisScript = new RedisScript(
  `${liveHolders}${releaseSlot}${boundKept}
local left = release_slot()
if left > 0 then
  if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[7], ARGV[8]) end
  return {left, 0}
end
local taken = tonumber(ARGV[9])
local length = redis.call('LLEN', KEYS[5])
for i = 9 + taken, 10, -1 do length = redis.call('LPUSH', KEYS[5], ARGV[i]) end
for i = 10 + taken, #ARGV do length = redis.call('RPUSH', KEYS[5], ARGV[i]) end
return {left, bound(KEYS[5], length, tonumber(ARGV[5]), ARGV[6])}
`,
);
