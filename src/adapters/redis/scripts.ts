/**
 * Lua scripts run atomically by Redis: every cap check of a request or campaign chunk in one call, so
 * two nodes never both take the last unit of a cap. Keys are `<prefix>:…` (one Redis, not a cluster).
 * Each returns -1 when `<prefix>:ready` is missing: Redis lost its data (a restart) and the counts must
 * be rebuilt from the message log before they can be trusted.
 */

/** Fields per item of {@link RESERVE}. */
export const RESERVE_FIELDS = 9;

/**
 * ARGV: prefix, rate key ("" for none), rate n, rate limit, then items of 9 fields: kind, a, digits, b,
 * c, d, e, commit ("1"/"0"), token. With a rate key, the sender's budget for the second is taken first;
 * over it, the script returns -2 and counts nothing.
 * - marketing ("m"): a = local day, b = sender id, c = per-sender cap, d = per-recipient cap. Counts live
 *   in a hash per (day, recipient): one field per sender and "*" for the total; kept three days.
 * - verification ("v"): a = time (ms), b = signature id, c/d/e = per minute / hour / day caps. Times live
 *   in a sorted set per (signature, recipient), trimmed to the last day.
 * Returns one 1 (fits; counted when commit) or 0 (over a cap) per item.
 */
export const RESERVE = `
local p = ARGV[1]
if redis.call('EXISTS', p .. ':ready') == 0 then return -1 end
if ARGV[2] ~= '' then
  local rk = p .. ':r:' .. ARGV[2]
  local n = tonumber(ARGV[3])
  local v = redis.call('INCRBY', rk, n)
  if v == n then redis.call('PEXPIRE', rk, 2000) end
  if v > tonumber(ARGV[4]) then
    redis.call('DECRBY', rk, n)
    return -2
  end
end
local out = {}
local i = 5
local k = 0
while i < #ARGV do
  k = k + 1
  local commit = ARGV[i + 7] == '1'
  if ARGV[i] == 'm' then
    local key = p .. ':m:' .. ARGV[i + 1] .. ':' .. ARGV[i + 2]
    local sender = ARGV[i + 3]
    local capS = tonumber(ARGV[i + 4])
    local capT = tonumber(ARGV[i + 5])
    if commit then
      local a = redis.call('HINCRBY', key, sender, 1)
      local b = redis.call('HINCRBY', key, '*', 1)
      if b == 1 then redis.call('PEXPIRE', key, 259200000) end
      if a > capS or b > capT then
        redis.call('HINCRBY', key, sender, -1)
        redis.call('HINCRBY', key, '*', -1)
        out[k] = 0
      else
        out[k] = 1
      end
    else
      local v = redis.call('HMGET', key, sender, '*')
      local a = tonumber(v[1]) or 0
      local b = tonumber(v[2]) or 0
      if a >= capS or b >= capT then out[k] = 0 else out[k] = 1 end
    end
  else
    local key = p .. ':v:' .. ARGV[i + 3] .. ':' .. ARGV[i + 2]
    local at = tonumber(ARGV[i + 1])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', at - 86400000)
    local day = redis.call('ZCARD', key)
    local hour = redis.call('ZCOUNT', key, '(' .. (at - 3600000), '+inf')
    local minute = redis.call('ZCOUNT', key, '(' .. (at - 60000), '+inf')
    if minute >= tonumber(ARGV[i + 4]) or hour >= tonumber(ARGV[i + 5]) or day >= tonumber(ARGV[i + 6]) then
      out[k] = 0
    else
      out[k] = 1
      if commit then
        redis.call('ZADD', key, at, ARGV[i + 8])
        redis.call('PEXPIRE', key, 86400000)
      end
    end
  end
  i = i + 9
end
return out
`;

/** ARGV as RESERVE's (the rate fields unused), the items committed ones: their counts are taken back. */
export const RELEASE = `
local p = ARGV[1]
local i = 5
while i < #ARGV do
  if ARGV[i] == 'm' then
    local key = p .. ':m:' .. ARGV[i + 1] .. ':' .. ARGV[i + 2]
    if redis.call('EXISTS', key) == 1 then
      redis.call('HINCRBY', key, ARGV[i + 3], -1)
      redis.call('HINCRBY', key, '*', -1)
    end
  else
    redis.call('ZREM', p .. ':v:' .. ARGV[i + 3] .. ':' .. ARGV[i + 2], ARGV[i + 8])
  end
  i = i + 9
end
return 1
`;
