-- costgen RedisBudgetStore: helpers shared by every script (prepended to each one).
-- ARGV[1] is always the key prefix. Times are epoch microseconds (integers < 2^53, exact in Lua
-- numbers) and are always written with fmt() because Lua's tostring() keeps only 14 digits.
-- Amounts are non-negative decimal strings; arithmetic is exact: digits are aligned to a common
-- scale and split into base-10^7 limbs, whose sums and products stay far below 2^53.
local P = ARGV[1]
local BASE = 10000000

local function fmt(x)
  return string.format('%.0f', x)
end

local ZEROS = {}
for k = 0, 80 do ZEROS[k] = string.rep('0', k) end

local function zeros(k)
  return ZEROS[k] or string.rep('0', k)
end

-- Integer and fraction digits of a canonical amount (the Java side validates every input; every
-- stored amount is written by place()).
local function split(x)
  local dot = string.find(x, '.', 1, true)
  if not dot then return x, '' end
  return string.sub(x, 1, dot - 1), string.sub(x, dot + 1)
end

-- The integer digits of x * 10^scale (scale >= x's fraction length).
local function digits(x, scale)
  local i, f = split(x)
  return i .. f .. zeros(scale - #f)
end

local function scaleOf(x)
  local _, f = split(x)
  return #f
end

-- x and y as integer digit strings at their common scale, and that scale.
local function align(a, b)
  local ai, af = split(a)
  local bi, bf = split(b)
  local s = #af
  if #bf > s then s = #bf end
  return ai .. af .. zeros(s - #af), bi .. bf .. zeros(s - #bf), s
end

-- The canonical decimal string of digit string d (no leading zeros) divided by 10^scale.
local function place(d, scale)
  if scale == 0 then return d end
  local n = #d
  if n <= scale then
    d = zeros(scale - n + 1) .. d
    n = scale + 1
  end
  local e = n
  while e > n - scale and string.byte(d, e) == 48 do e = e - 1 end
  if e == n - scale then return string.sub(d, 1, e) end
  return string.sub(d, 1, n - scale) .. '.' .. string.sub(d, n - scale + 1, e)
end

-- Digit strings shorter than this are below 10^15: as Lua numbers they, their sums and
-- differences are exact integers (< 2^53). Longer ones take the limb path.
local SHORT = 16

local function strip(t)
  local k = #t
  while k > 1 and t[k] == 0 do
    t[k] = nil
    k = k - 1
  end
  return t
end

-- Little-endian base-10^7 limbs of a digit string.
local function limbs(d)
  local t, n = {}, #d
  while n > 0 do
    local s = n - 6
    if s < 1 then s = 1 end
    t[#t + 1] = tonumber(string.sub(d, s, n))
    n = s - 1
  end
  if #t == 0 then t[1] = 0 end
  return strip(t)
end

local function unlimbs(t, scale)
  local parts = { string.format('%d', t[#t]) }
  for k = #t - 1, 1, -1 do
    parts[#parts + 1] = string.format('%07d', t[k])
  end
  return place(table.concat(parts), scale)
end

local function lcmp(x, y)
  if #x ~= #y then return #x < #y and -1 or 1 end
  for k = #x, 1, -1 do
    if x[k] ~= y[k] then return x[k] < y[k] and -1 or 1 end
  end
  return 0
end

local function lmul(x, y)
  local r = {}
  for k = 1, #x + #y do r[k] = 0 end
  for i = 1, #x do
    local c, xi = 0, x[i]
    for j = 1, #y do
      local v = r[i + j - 1] + xi * y[j] + c
      c = math.floor(v / BASE)
      r[i + j - 1] = v - c * BASE
    end
    local k = i + #y
    while c > 0 do
      local v = r[k] + c
      c = math.floor(v / BASE)
      r[k] = v - c * BASE
      k = k + 1
    end
  end
  return strip(r)
end

local function dadd(a, b)
  if b == '0' then return a end
  if a == '0' then return b end
  local xs, ys, s = align(a, b)
  if #xs < SHORT and #ys < SHORT then
    return place(fmt(tonumber(xs) + tonumber(ys)), s)
  end
  local x, y = limbs(xs), limbs(ys)
  local r, c = {}, 0
  for k = 1, math.max(#x, #y) do
    local v = (x[k] or 0) + (y[k] or 0) + c
    if v >= BASE then
      r[k] = v - BASE
      c = 1
    else
      r[k] = v
      c = 0
    end
  end
  if c > 0 then r[#r + 1] = c end
  return unlimbs(r, s)
end

-- a - b; a >= b is required (holds never exceed what was added).
local function dsub(a, b)
  if b == '0' then return a end
  local xs, ys, s = align(a, b)
  if #xs < SHORT and #ys < SHORT then
    local v = tonumber(xs) - tonumber(ys)
    if v < 0 then error('costgen: negative amount ' .. a .. ' - ' .. b) end
    return place(fmt(v), s)
  end
  local x, y = limbs(xs), limbs(ys)
  if lcmp(x, y) < 0 then
    error('costgen: negative amount ' .. a .. ' - ' .. b)
  end
  local r, c = {}, 0
  for k = 1, #x do
    local v = x[k] - (y[k] or 0) - c
    if v < 0 then
      r[k] = v + BASE
      c = 1
    else
      r[k] = v
      c = 0
    end
  end
  return unlimbs(strip(r), s)
end

local function dcmp(a, b)
  if a == b then return 0 end
  local xs, ys = align(a, b)
  if #xs < SHORT and #ys < SHORT then
    local x, y = tonumber(xs), tonumber(ys)
    if x == y then return 0 end
    return x < y and -1 or 1
  end
  return lcmp(limbs(xs), limbs(ys))
end

local function iszero(a)
  return string.match(a, '^0*%.?0*$') ~= nil
end

-- fixed + per * n (n an integer < 2^53).
local function amount(c, n)
  if n == 0 or iszero(c.per) then return c.fixed end
  local s = scaleOf(c.per)
  local p, m = digits(c.per, s), fmt(n)
  if #p + #m < SHORT then
    return dadd(c.fixed, place(fmt(tonumber(p) * n), s))
  end
  return dadd(c.fixed, unlimbs(lmul(limbs(p), limbs(m)), s))
end

-- The largest n in [0, cap] with per * n <= room (per > 0, room >= 0).
local function maxfit(room, per, cap)
  local rs, ps = align(room, per)
  if #rs < SHORT and #ps < SHORT then
    local r, p = tonumber(rs), tonumber(ps)
    local q = math.floor(r / p)
    while q > 0 and q * p > r do q = q - 1 end -- q * p <= r < 10^15: exact from here on
    while (q + 1) * p <= r do q = q + 1 end
    if q > cap then return cap end
    return q
  end
  local r, p = limbs(rs), limbs(ps)
  if lcmp(lmul(p, limbs(fmt(cap))), r) <= 0 then return cap end
  local lo, hi = 0, cap
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if lcmp(lmul(p, limbs(fmt(mid))), r) <= 0 then lo = mid else hi = mid - 1 end
  end
  return lo
end

-- Milliseconds a key written at now must live to outlast `untilUs`, plus the margin.
local function ttlms(untilUs, now, margin)
  local ms = math.ceil((untilUs - now) / 1000)
  if ms < 0 then ms = 0 end
  return ms + margin
end

-- Extends a key's time to live to at least ms (never shortens it).
local function touch(key, ms)
  local cur = redis.call('PTTL', key)
  if cur == -2 or (cur >= 0 and cur >= ms) then return end
  redis.call('PEXPIRE', key, ms)
end

-- Frees the holds of bucket B whose lease has passed (lease <= now).
local function purge(b, now)
  local hk = P .. 'h:' .. b
  local expired = redis.call('ZRANGEBYSCORE', hk, '-inf', fmt(now))
  if #expired == 0 then return end
  local bk = P .. 'b:' .. b
  local r = redis.call('HGET', bk, 'r') or '0'
  for _, id in ipairs(expired) do
    local h = redis.call('HGET', bk, 'h:' .. id)
    if h then
      r = dsub(r, h)
      redis.call('HDEL', bk, 'h:' .. id)
    end
  end
  redis.call('ZREMRANGEBYSCORE', hk, '-inf', fmt(now))
  if redis.call('EXISTS', bk) == 1 then redis.call('HSET', bk, 'r', r) end
end

-- Spend and live holds of series S's buckets starting at or after `from` (purging expired holds).
local function counted(s, from, now)
  local ws = redis.call('ZRANGEBYLEX', P .. 'i:' .. s, '[' .. from, '+')
  local sp, rs = '0', '0'
  for _, w in ipairs(ws) do
    local b = s .. ':' .. w
    purge(b, now)
    local v = redis.call('HMGET', P .. 'b:' .. b, 's', 'r')
    if v[1] then sp = dadd(sp, v[1]) end
    if v[2] then rs = dadd(rs, v[2]) end
  end
  return sp, rs
end

-- Ten ARGV fields per claim, starting after index o.
local function readClaims(o, n)
  local cs = {}
  for j = 1, n do
    local k = o + (j - 1) * 10
    cs[j] = { s = ARGV[k + 1], w = ARGV[k + 2], f = ARGV[k + 3], limit = ARGV[k + 4], fixed = ARGV[k + 5],
      per = ARGV[k + 6], shrink = ARGV[k + 7] == '1', retain = tonumber(ARGV[k + 8]), unit = ARGV[k + 9],
      blob = ARGV[k + 10] }
  end
  return cs
end

-- Records bucket B (of claim c) in its series index and the sweep index, keeping it until `keep`;
-- nothing to do when the bucket already existed with that retention (`old`).
local function register(c, keep, old, now, margin)
  if old and tonumber(old) == keep then return end
  local b = c.s .. ':' .. c.w
  redis.call('ZADD', P .. 'i:' .. c.s, 0, c.w)
  redis.call('ZADD', P .. 'x:buckets', fmt(keep), b)
  local ttl = ttlms(keep, now, margin)
  touch(P .. 'b:' .. b, ttl)
  touch(P .. 'h:' .. b, ttl)
  touch(P .. 'i:' .. c.s, ttl)
end
