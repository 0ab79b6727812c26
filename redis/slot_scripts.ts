/**
 * The Lua scripts of the cluster's session slots, each one round trip and atomic.
 *
 * - `<prefix>holders:<key>`: a hash per session, node id to its number of connections.
 * - `<prefix>node:<id>`: a node is alive while this key exists (a TTL that its heartbeat renews).
 * - `<prefix>slots:<id>`: the set of sessions in which node `<id>` has a field.
 * - `<prefix>nodes`: the set of node ids that have beaten, dead ones until they are swept.
 * - `<prefix>released`: a hash of the sessions left with no holder (by a release, a count
 *   written again, or a sweep), each with the token of the step that left it so, until a node
 *   has reported it to its server (which starts its idle clock): reported at least once. A
 *   record is removed only with its token, so a newer one (another node's release) stays.
 *
 * A session's count is the sum over live nodes; fields of dead nodes are removed as they are
 * met. A node that died without leaving (killed) is swept by the live ones: its fields are
 * removed from the sessions it held, and those that nobody holds any more are reported, so that
 * their idle clock starts. These scripts compute key names from the prefix: they need a
 * standalone Redis (or Valkey, or a Sentinel setup), not a sharded Redis Cluster.
 *
 * @example
 * ```ts
 * import { acquireSlotScript } from "./slot_scripts.ts";
 * console.assert(acquireSlotScript.lua.includes("HINCRBY"));
 * ```
 * @module
 */

import { RedisScript } from "./redis_script.ts";

/**
 * Lua: `live(holders, nodePrefix)`, the number of connections on live nodes of a holders hash,
 * pruning the fields of dead nodes.
 *
 * @example
 * ```ts
 * import { liveHolders } from "./slot_scripts.ts";
 * console.assert(liveHolders.includes("local function live"));
 * ```
 */
export const liveHolders = `
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
 * Lua: `release_slot()`, the step of {@link releaseSlotScript} on its `KEYS` and `ARGV` (scripts
 * that do more after it pass the same first keys and arguments). Needs {@link liveHolders}.
 *
 * @example
 * ```ts
 * import { releaseSlot } from "./slot_scripts.ts";
 * console.assert(releaseSlot.includes("local function release_slot"));
 * ```
 */
export const releaseSlot = `
local function release_slot()
  if redis.call('HINCRBY', KEYS[1], ARGV[2], -1) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[2])
    redis.call('SREM', KEYS[2], ARGV[3])
  end
  local left = live(KEYS[1], ARGV[1])
  if left == 0 then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
  return left
end
`;

/**
 * Takes a slot. `KEYS` holders, the node's slots set, the released hash (unused), the nodes
 * set; `ARGV` node prefix, node id, max (0 unlimited), session key. Returns 1 when taken, 0
 * when every slot is taken. The node's id goes into the nodes set with it: a slot taken as
 * the node leaves is swept, never left behind for good.
 *
 * @example
 * ```ts
 * import { acquireSlotScript } from "./slot_scripts.ts";
 * console.assert(acquireSlotScript.sha1.length === 40);
 * ```
 */
export const acquireSlotScript: RedisScript = new RedisScript(`${liveHolders}
local max = tonumber(ARGV[3])
if max > 0 and live(KEYS[1], ARGV[1]) >= max then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[2])
return 1
`);

/**
 * Gives back a slot. `KEYS` holders, the node's slots set, the released hash; `ARGV` node
 * prefix, node id, session key, a token. Returns the connections left on live nodes; with none
 * left, the session goes into the released hash with the token until its release is reported (a
 * live node's sweep reports it if the releasing node never does).
 *
 * @example
 * ```ts
 * import { releaseSlotScript } from "./slot_scripts.ts";
 * console.assert(releaseSlotScript.lua.includes("HDEL"));
 * ```
 */
export const releaseSlotScript: RedisScript = new RedisScript(`${liveHolders}${releaseSlot}
return release_slot()
`);

/**
 * Writes one node's true count of its slots for several sessions, and returns each session's
 * live holders after it. `KEYS[1]` the node's slots set, `KEYS[1 + i]` the holders of session
 * `i`, then the nodes set, last the released hash; `ARGV[1]` node prefix, `ARGV[2]` node id,
 * then per session its key and the count (0 removes the field), last a token. A session left
 * with no live holder goes into the released hash with the token, until its release is
 * reported. A count above 0 puts the node's id into the nodes set (as an acquire does).
 *
 * @example
 * ```ts
 * import { writeSlotsScript } from "./slot_scripts.ts";
 * console.assert(writeSlotsScript.lua.includes("HSET"));
 * ```
 */
export const writeSlotsScript: RedisScript = new RedisScript(`${liveHolders}
local live_counts = {}
local idle = KEYS[#KEYS]
local token = ARGV[#ARGV]
for i = 2, #KEYS - 2 do
  local key, count = ARGV[2 * i - 1], tonumber(ARGV[2 * i])
  if count > 0 then
    redis.call('HSET', KEYS[i], ARGV[2], count)
    redis.call('SADD', KEYS[1], key)
    redis.call('SADD', KEYS[#KEYS - 1], ARGV[2])
  else
    redis.call('HDEL', KEYS[i], ARGV[2])
    redis.call('SREM', KEYS[1], key)
  end
  live_counts[i - 1] = live(KEYS[i], ARGV[1])
  if live_counts[i - 1] == 0 then redis.call('HSET', idle, key, token) end
end
return live_counts
`);

/**
 * Counts a session's connections. `KEYS[1]` holders; `ARGV[1]` node prefix.
 *
 * @example
 * ```ts
 * import { countHoldersScript } from "./slot_scripts.ts";
 * console.assert(countHoldersScript.lua.includes("live"));
 * ```
 */
export const countHoldersScript: RedisScript = new RedisScript(`${liveHolders}
return live(KEYS[1], ARGV[1])
`);

/**
 * A node's heartbeat. `KEYS` its node key, the nodes set; `ARGV` node id, a value, TTL in ms,
 * the `fresh:` value the node last saw (or ""). Returns the node key's previous value, `nil`
 * when Redis had no such key (forgotten). A key that a beat creates holds `fresh:` and the
 * value, and keeps it until a beat says the node saw it: so the node learns that Redis had
 * forgotten it even when the replies of the beats that ran meanwhile were lost.
 *
 * @example
 * ```ts
 * import { heartbeatScript } from "./slot_scripts.ts";
 * console.assert(heartbeatScript.lua.includes("SADD"));
 * ```
 */
export const heartbeatScript: RedisScript = new RedisScript(`
local previous = redis.call('GET', KEYS[1])
local value = ARGV[2]
if not previous then
  value = 'fresh:' .. value
elseif string.sub(previous, 1, 6) == 'fresh:' and previous ~= ARGV[4] then
  value = previous
end
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return previous
`);

/**
 * A node leaves. `KEYS` its node key, the nodes set, its slots set; `ARGV[1]` its id. Its key goes
 * (its slots stop counting at once), and so does its id from the nodes set when it holds no
 * slot any more; else a live node's sweep removes both later.
 *
 * @example
 * ```ts
 * import { leaveScript } from "./slot_scripts.ts";
 * console.assert(leaveScript.lua.includes("SREM"));
 * ```
 */
export const leaveScript: RedisScript = new RedisScript(`
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 0
`);

/**
 * Sweeps dead nodes: removes their fields from the sessions they held (up to `ARGV[2]` sessions
 * in all), adds those that no live node holds after it to the released hash (with the token
 * `ARGV[3]`), and forgets a dead node once none is left. `KEYS` the nodes set, the released
 * hash; `ARGV[1]` the key prefix. Moves up to `ARGV[2]` records of nodes of earlier versions
 * (the set `<prefix>idle`) into the hash. Returns up to `ARGV[2]` records of the released hash
 * (also those of earlier sweeps not yet reported) as key, token, key, token...: the caller
 * reports them, then removes them with {@link forgetReleasedScript}.
 *
 * @example
 * ```ts
 * import { sweepDeadNodesScript } from "./slot_scripts.ts";
 * console.assert(sweepDeadNodesScript.lua.includes("SPOP"));
 * ```
 */
export const sweepDeadNodesScript: RedisScript = new RedisScript(`${liveHolders}
local prefix = ARGV[1]
local budget = tonumber(ARGV[2])
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if budget <= 0 then break end
  if redis.call('EXISTS', prefix .. 'node:' .. node) == 0 then
    local slots = prefix .. 'slots:' .. node
    local keys = redis.call('SPOP', slots, budget)
    for _, key in ipairs(keys) do
      local holders = prefix .. 'holders:' .. key
      redis.call('HDEL', holders, node)
      if live(holders, prefix .. 'node:') == 0 then redis.call('HSET', KEYS[2], key, ARGV[3]) end
    end
    budget = budget - #keys
    if redis.call('EXISTS', slots) == 0 then redis.call('SREM', KEYS[1], node) end
  end
end
-- Records of nodes of versions before the hash, in the set they kept, move into it.
for _, key in ipairs(redis.call('SPOP', prefix .. 'idle', tonumber(ARGV[2]))) do
  redis.call('HSET', KEYS[2], key, ARGV[3])
end
return redis.call('HRANDFIELD', KEYS[2], tonumber(ARGV[2]), 'WITHVALUES')
`);

/**
 * Removes reported records of the released hash, each only if it still holds the token it was
 * reported with (a newer release's record stays). `KEYS[1]` the released hash; `ARGV` key,
 * token, key, token...
 *
 * @example
 * ```ts
 * import { forgetReleasedScript } from "./slot_scripts.ts";
 * console.assert(forgetReleasedScript.lua.includes("HDEL"));
 * ```
 */
export const forgetReleasedScript: RedisScript = new RedisScript(`
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return 0
`);
