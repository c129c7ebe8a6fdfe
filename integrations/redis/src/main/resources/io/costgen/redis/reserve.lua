-- reserve: ARGV 2 reservation id, 3 now, 4 lease end, 5 max tokens, 6 min tokens, 7 margin ms,
-- 8 claim count n, then ten fields per claim (see readClaims). All claims admit or none.
local res, now, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxT, minT, margin, n = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local rk = P .. 'r:' .. res
if redis.call('EXISTS', rk) == 1 then return { 'DUP' } end
local C = readClaims(8, n)
local bs, br = {}, {}
for j = 1, n do
  bs[j], br[j] = counted(C[j].s, C[j].f, now)
end
-- 1. the largest token count every shrinkable claim affords
local tokens, limiting = maxT, 0
for j = 1, n do
  local c = C[j]
  if c.limit ~= '' and c.shrink and not iszero(c.per) then
    local base = dadd(dadd(bs[j], br[j]), c.fixed)
    local fit = -1
    if dcmp(base, c.limit) <= 0 then fit = maxfit(dsub(c.limit, base), c.per, tokens) end
    if fit < tokens then
      tokens = fit
      limiting = j
    end
  end
end
if tokens < minT then
  return { 'REJ', tostring(limiting - 1), bs[limiting], br[limiting], amount(C[limiting], minT) }
end
-- 2. every limited claim must fit at that count
local amounts = {}
for j = 1, n do
  local c = C[j]
  amounts[j] = amount(c, tokens)
  if c.limit ~= '' and dcmp(dadd(dadd(bs[j], br[j]), amounts[j]), c.limit) > 0 then
    return { 'REJ', tostring(j - 1), bs[j], br[j], amounts[j] }
  end
end
-- 3. hold
local keep = lease
local rec = { 'st', 'H', 'l', fmt(lease), 'n', tostring(n) }
for j = 1, n do
  local c = C[j]
  local b = c.s .. ':' .. c.w
  local bk = P .. 'b:' .. b
  local v = redis.call('HMGET', bk, 'r', 't')
  local t = math.max(c.retain, lease)
  if v[2] then t = math.max(t, tonumber(v[2])) end
  redis.call('HSET', bk, 'r', dadd(v[1] or '0', amounts[j]), 't', fmt(t), 'h:' .. res, amounts[j])
  local hk = P .. 'h:' .. b
  redis.call('ZADD', hk, fmt(lease), res)
  if redis.call('ZCARD', hk) == 1 then redis.call('PEXPIRE', hk, ttlms(t, now, margin)) end -- a new holds set
  redis.call('ZADD', P .. 'x:leases', 'LT', fmt(lease), b)
  register(c, t, v[2], now, margin)
  if c.retain > keep then keep = c.retain end
  local k = tostring(j)
  for _, x in ipairs({ 's' .. k, c.s, 'w' .. k, c.w, 'f' .. k, c.f, 'u' .. k, c.unit, 't' .. k, fmt(c.retain),
    'c' .. k, c.blob }) do
    rec[#rec + 1] = x
  end
end
redis.call('HSET', rk, unpack(rec))
redis.call('PEXPIRE', rk, ttlms(keep, now, margin))
redis.call('ZADD', P .. 'x:res', fmt(keep), res)
local out = { 'OK', fmt(tokens) }
for j = 1, n do out[#out + 1] = amounts[j] end
for j = 1, n do out[#out + 1] = bs[j] end
for j = 1, n do out[#out + 1] = br[j] end
return out
