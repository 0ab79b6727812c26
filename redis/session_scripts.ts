/**
 * The Lua scripts of the Redis session manager, each one round trip and atomic. A session is a
 * hash: `c` creation and `l` last lookup (RFC 3339 with nanoseconds), `i` the info as JSON
 * (absent without info), `m` the max-age deadline in Unix milliseconds (absent without a
 * max age) and, with an idle timeout, `h` while a server holds it (set by its creation and each
 * lookup, removed by its release). Its TTL is the max-age deadline or, sooner, the idle deadline
 * once released, or the lease of a holder (renewed by the holder's sweeps, so that a session held
 * by a process that died still expires); none without an idle timeout or a max age.
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
 * Lua: `expire_in(key, ms)` makes the key expire `ms` from now by Redis' clock, or at its
 * max-age deadline (`m`) if that is sooner.
 */
const expireIn = `
local function expire_in(key, ms)
  local time = redis.call('TIME')
  local deadline = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + ms
  local maxAgeDeadline = redis.call('HGET', key, 'm')
  if maxAgeDeadline and tonumber(maxAgeDeadline) < deadline then
    deadline = tonumber(maxAgeDeadline)
  end
  redis.call('PEXPIREAT', key, deadline)
end
`;

/**
 * Stores a new session, held; returns 0 and changes nothing when the key exists (another
 * session's: an expired one is gone from Redis), else 1. `KEYS[1]` the session's key; `ARGV`
 * creation, last lookup, info JSON (`""` for none), max-age deadline in Unix ms (`""` for none),
 * the holder's lease in ms (0 without an idle timeout). With a deadline the key expires then (at
 * once when it has passed); with a lease, that long from now if it is sooner.
 *
 * @example
 * ```ts
 * import { createSessionScript } from "./session_scripts.ts";
 * console.assert(createSessionScript.lua.includes("PEXPIREAT"));
 * ```
 */
export const createSessionScript: RedisScript = new RedisScript(`${expireIn}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[1], 'l', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'i', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'm', ARGV[4]) end
if tonumber(ARGV[5]) > 0 then
  redis.call('HSET', KEYS[1], 'h', '1')
  expire_in(KEYS[1], tonumber(ARGV[5]))
elseif ARGV[4] ~= '' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
end
return 1
`);

/**
 * Finds a session and records a lookup. `KEYS[1]` the session's key, `ARGV[1]` now in RFC 3339,
 * `ARGV[2]` the holder's lease in ms (0 without an idle timeout). Returns `false` (no such or an
 * expired key) or `{c, l, i}` as stored before this lookup (`i` false when absent), after setting
 * `l` to now and making the key held: its idle TTL gives way to the lease (none without one),
 * the max-age deadline is kept.
 *
 * @example
 * ```ts
 * import { lookupSessionScript } from "./session_scripts.ts";
 * console.assert(lookupSessionScript.sha1.length === 40);
 * ```
 */
export const lookupSessionScript: RedisScript = new RedisScript(`${expireIn}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local stored = redis.call('HMGET', KEYS[1], 'c', 'l', 'i', 'm')
redis.call('HSET', KEYS[1], 'l', ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], 'h', '1')
  expire_in(KEYS[1], tonumber(ARGV[2]))
elseif stored[4] then
  redis.call('PEXPIREAT', KEYS[1], stored[4])
else
  redis.call('PERSIST', KEYS[1])
end
return {stored[1], stored[2], stored[3]}
`);

/**
 * Starts a session's idle clock. `KEYS[1]` the session's key, `ARGV[1]` the idle timeout in
 * ms. The key is no longer held and expires that long from now (Redis' clock), or at its max-age
 * deadline if that is sooner. Returns 0 when there is no such key, else 1.
 *
 * @example
 * ```ts
 * import { releaseSessionScript } from "./session_scripts.ts";
 * console.assert(releaseSessionScript.lua.includes("TIME"));
 * ```
 */
export const releaseSessionScript: RedisScript = new RedisScript(`${expireIn}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], 'h')
expire_in(KEYS[1], tonumber(ARGV[1]))
return 1
`);

/**
 * Deletes a session only while it is the one given: `KEYS[1]` the session's key, `ARGV[1]` its
 * creation as stored (`c`). Returns 1 when deleted, 0 when the key has another session (one of
 * another creation), none, or is no session's hash.
 *
 * @example
 * ```ts
 * import { forgetUnusedSessionScript } from "./session_scripts.ts";
 * console.assert(forgetUnusedSessionScript.lua.includes("HGET"));
 * ```
 */
export const forgetUnusedSessionScript: RedisScript = new RedisScript(`
if redis.pcall('HGET', KEYS[1], 'c') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`);

/**
 * Renews the lease of the sessions a process holds. `KEYS` their keys, `ARGV[1]` the lease in
 * ms. Each key that is still held (`h`: not released meanwhile, here or by another process)
 * expires that long from now, or at its max-age deadline if that is sooner; the others are left
 * as they are (a released one keeps its idle deadline). Returns 1 for each key renewed, 0 for
 * each other (gone, released, or not a session's hash), in the order of `KEYS`.
 *
 * @example
 * ```ts
 * import { renewHeldScript } from "./session_scripts.ts";
 * console.assert(renewHeldScript.lua.includes("HEXISTS"));
 * ```
 */
export const renewHeldScript: RedisScript = new RedisScript(`${expireIn}
local renewed = {}
for i, key in ipairs(KEYS) do
  -- pcall: a key that now holds another type is skipped, not a failure of every sweep.
  if redis.pcall('HEXISTS', key, 'h') == 1 then
    expire_in(key, tonumber(ARGV[1]))
    renewed[i] = 1
  else
    renewed[i] = 0
  end
end
return renewed
`);
