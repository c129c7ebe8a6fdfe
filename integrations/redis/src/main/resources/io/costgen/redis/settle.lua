-- settle: ARGV 2 reservation id, 3 now, 4 margin ms, 5 unit count m, then m pairs (unit, amount or
-- '-' for a negative amount); optionally (replay of a reservation made while Redis was unreachable)
-- lease end, claim count n and ten fields per claim, used only when Redis has no such reservation.
-- Applies the actual amounts exactly once per reservation id.
local res, now, margin, m = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local actual = {}
for k = 1, m do actual[ARGV[4 + 2 * k]] = ARGV[5 + 2 * k] end
local rk = P .. 'r:' .. res
local st = redis.call('HGET', rk, 'st')
local C, lease
if st then
  if st == 'S' then return { 'DUPLICATE' } end
  lease = tonumber(redis.call('HGET', rk, 'l'))
  local n = tonumber(redis.call('HGET', rk, 'n'))
  C = {}
  for j = 1, n do
    local k = tostring(j)
    local v = redis.call('HMGET', rk, 's' .. k, 'w' .. k, 'f' .. k, 'u' .. k, 't' .. k, 'c' .. k)
    C[j] = { s = v[1], w = v[2], f = v[3], unit = v[4], retain = tonumber(v[5]), blob = v[6] }
  end
else
  local o = 5 + 2 * m
  if #ARGV <= o then return { 'UNKNOWN' } end
  lease = tonumber(ARGV[o + 1])
  C = readClaims(o + 2, tonumber(ARGV[o + 2]))
  st = 'H'
end
for j = 1, #C do
  local a = actual[C[j].unit]
  if not a then return { 'MISSING', C[j].blob } end
  if a == '-' then return { 'NEGATIVE', C[j].blob } end
end
local status = 'SETTLED_AFTER_RELEASE'
if st == 'H' then
  status = (now < lease) and 'SETTLED' or 'SETTLED_AFTER_EXPIRY'
end
local out = { status, tostring(#C) }
local as, ar = {}, {}
for j = 1, #C do
  local c = C[j]
  local b = c.s .. ':' .. c.w
  local bk = P .. 'b:' .. b
  local v = redis.call('HMGET', bk, 's', 'r', 't', 'h:' .. res)
  local r = v[2] or '0'
  if v[4] then
    r = dsub(r, v[4])
    redis.call('HDEL', bk, 'h:' .. res)
    redis.call('ZREM', P .. 'h:' .. b, res)
  end
  local t = c.retain
  if v[3] then t = math.max(t, tonumber(v[3])) end
  redis.call('HSET', bk, 's', dadd(v[1] or '0', actual[c.unit]), 'r', r, 't', fmt(t))
  register(c, t, v[3], now, margin)
  as[j], ar[j] = counted(c.s, c.f, now)
  out[#out + 1] = c.blob
end
for j = 1, #C do out[#out + 1] = as[j] end
for j = 1, #C do out[#out + 1] = ar[j] end
redis.call('DEL', rk)
redis.call('HSET', rk, 'st', 'S', 'l', fmt(lease))
redis.call('PEXPIRE', rk, ttlms(lease, now, margin))
redis.call('ZADD', P .. 'x:res', fmt(lease), res)
return out
