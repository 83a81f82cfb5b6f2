/**
 * Lua scripts run atomically by Redis: every cap check of a request or campaign chunk in one call, so
 * two nodes never both take the last unit of a cap. Keys are `<prefix>:…` (one Redis, not a cluster).
 * Each returns -1 when `<prefix>:ready` is missing: Redis lost its data (a restart) and the counts must
 * be rebuilt from the message log before they can be trusted.
 */

/**
 * ARGV: prefix, rate key ("" for none), rate n, rate limit, then groups of items sharing their rule:
 * kind, a, b, c, d, e, count, then `count` entries.
 * - marketing ("m"): a = local day, b = sender id, c = per-sender cap, d = per-recipient cap; entries are
 *   recipients' digits, prefixed "-" for a look that counts nothing. Counts live in a hash per (day,
 *   recipient): one field per sender and "*" for the total; kept three days.
 * - verification ("v"): a = time (ms), b = signature id, c/d/e = per minute / hour / day caps; entries
 *   are pairs (digits, prefixed "-" for a look; token). Times live in a sorted set per (signature,
 *   recipient), trimmed to the last day.
 * With a rate key, the sender's budget for the second is taken first; over it, the script returns -2
 * and counts nothing. Otherwise one 1 (fits; counted unless a look) or 0 (over a cap) per entry.
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
local k = 0
local i = 5
local n = #ARGV
while i <= n do
  local kind = ARGV[i]
  local a = ARGV[i + 1]
  local b = ARGV[i + 2]
  local c = tonumber(ARGV[i + 3])
  local d = tonumber(ARGV[i + 4])
  local e = tonumber(ARGV[i + 5])
  local cnt = tonumber(ARGV[i + 6])
  i = i + 7
  if kind == 'm' then
    local base = p .. ':m:' .. a .. ':'
    for _ = 1, cnt do
      local dg = ARGV[i]
      i = i + 1
      k = k + 1
      if string.byte(dg, 1) == 45 then
        local v = redis.call('HMGET', base .. string.sub(dg, 2), b, '*')
        if (tonumber(v[1]) or 0) >= c or (tonumber(v[2]) or 0) >= d then out[k] = 0 else out[k] = 1 end
      else
        local key = base .. dg
        local x = redis.call('HINCRBY', key, b, 1)
        local y = redis.call('HINCRBY', key, '*', 1)
        if y == 1 then redis.call('PEXPIRE', key, 259200000) end
        if x > c or y > d then
          redis.call('HINCRBY', key, b, -1)
          redis.call('HINCRBY', key, '*', -1)
          out[k] = 0
        else
          out[k] = 1
        end
      end
    end
  else
    local at = tonumber(a)
    for _ = 1, cnt do
      local dg = ARGV[i]
      local token = ARGV[i + 1]
      i = i + 2
      k = k + 1
      local look = string.byte(dg, 1) == 45
      if look then dg = string.sub(dg, 2) end
      local key = p .. ':v:' .. b .. ':' .. dg
      redis.call('ZREMRANGEBYSCORE', key, '-inf', at - 86400000)
      local day = redis.call('ZCARD', key)
      local hour = redis.call('ZCOUNT', key, '(' .. (at - 3600000), '+inf')
      local minute = redis.call('ZCOUNT', key, '(' .. (at - 60000), '+inf')
      if minute >= c or hour >= d or day >= e then
        out[k] = 0
      else
        out[k] = 1
        if not look then
          redis.call('ZADD', key, at, token)
          redis.call('PEXPIRE', key, 86400000)
        end
      end
    end
  end
end
return out
`;

/** ARGV as RESERVE's (rate fields unused; entries are committed ones): their counts are taken back. */
export const RELEASE = `
local p = ARGV[1]
local i = 5
local n = #ARGV
while i <= n do
  local kind = ARGV[i]
  local a = ARGV[i + 1]
  local b = ARGV[i + 2]
  local cnt = tonumber(ARGV[i + 6])
  i = i + 7
  for _ = 1, cnt do
    if kind == 'm' then
      local key = p .. ':m:' .. a .. ':' .. ARGV[i]
      if redis.call('EXISTS', key) == 1 then
        redis.call('HINCRBY', key, b, -1)
        redis.call('HINCRBY', key, '*', -1)
      end
      i = i + 1
    else
      redis.call('ZREM', p .. ':v:' .. b .. ':' .. ARGV[i], ARGV[i + 1])
      i = i + 2
    end
  end
end
return 1
`;
