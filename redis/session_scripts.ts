/**
 * The Lua scripts of the Redis session manager, each one round trip and atomic. A session is a
 * hash: `c` creation and `l` last lookup (RFC 3339 with nanoseconds), `i` the info as JSON
 * (absent without info) and `m` the max-age deadline in Unix milliseconds (absent without a
 * max age). Its TTL is the idle deadline, the max-age deadline, whichever is sooner, or none.
 *
 * @example
 * ```ts
 * import { lookupSessionScript } from "./session_scripts.ts";
 * console.assert(lookupSessionScript.lua.includes("PERSIST"));
 * ```
 * @module
 */

import { RedisScript } from "./redis_script.ts";

/**
 * Stores a session, replacing any of its key. `KEYS[1]` the session's key; `ARGV` creation,
 * last lookup, info JSON (`""` for none), max-age deadline in Unix ms (`""` for none). With a
 * deadline the key expires then (at once when it has passed).
 *
 * @example
 * ```ts
 * import { createSessionScript } from "./session_scripts.ts";
 * console.assert(createSessionScript.lua.includes("PEXPIREAT"));
 * ```
 */
export const createSessionScript: RedisScript = new RedisScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'c', ARGV[1], 'l', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'i', ARGV[3]) end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'm', ARGV[4])
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
end
return 1
`);

/**
 * Finds a session and records a lookup. `KEYS[1]` the session's key, `ARGV[1]` now in RFC 3339.
 * Returns `false` (no such or an expired key) or `{c, l, i}` as stored before this lookup
 * (`i` false when absent), after setting `l` to now and making the key held: its idle TTL is
 * removed, the max-age deadline kept.
 *
 * @example
 * ```ts
 * import { lookupSessionScript } from "./session_scripts.ts";
 * console.assert(lookupSessionScript.sha1.length === 40);
 * ```
 */
export const lookupSessionScript: RedisScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local stored = redis.call('HMGET', KEYS[1], 'c', 'l', 'i', 'm')
redis.call('HSET', KEYS[1], 'l', ARGV[1])
if stored[4] then
  redis.call('PEXPIREAT', KEYS[1], stored[4])
else
  redis.call('PERSIST', KEYS[1])
end
return {stored[1], stored[2], stored[3]}
`);

/**
 * Starts a session's idle clock. `KEYS[1]` the session's key, `ARGV[1]` the idle timeout in
 * ms. The key expires that long from now (Redis' clock), or at its max-age deadline if that is
 * sooner. Returns 0 when there is no such key, else 1.
 *
 * @example
 * ```ts
 * import { releaseSessionScript } from "./session_scripts.ts";
 * console.assert(releaseSessionScript.lua.includes("TIME"));
 * ```
 */
export const releaseSessionScript: RedisScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local time = redis.call('TIME')
local deadline = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[1])
local maxAgeDeadline = redis.call('HGET', KEYS[1], 'm')
if maxAgeDeadline and tonumber(maxAgeDeadline) < deadline then
  deadline = tonumber(maxAgeDeadline)
end
redis.call('PEXPIREAT', KEYS[1], deadline)
return 1
`);
