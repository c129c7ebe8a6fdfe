-- sweep: ARGV 2 now, 3 batch size. Frees expired holds, forgets buckets, reservations and alert
-- marks past their retention. Returns { dropped, more } (more = 1: call again).
local now, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local nowS = fmt(now)
local dropped, more = 0, 0
local xl, xb = P .. 'x:leases', P .. 'x:buckets'
-- 1. buckets holding an expired lease
local list = redis.call('ZRANGEBYSCORE', xl, '-inf', nowS, 'LIMIT', 0, limit)
for _, b in ipairs(list) do
  purge(b, now)
  local first = redis.call('ZRANGE', P .. 'h:' .. b, 0, 0, 'WITHSCORES')
  if first[1] then redis.call('ZADD', xl, first[2], b) else redis.call('ZREM', xl, b) end
end
if #list == limit then more = 1 end
-- 2. buckets past their retention
list = redis.call('ZRANGEBYSCORE', xb, '-inf', nowS, 'LIMIT', 0, limit)
local gone = 0
for _, b in ipairs(list) do
  purge(b, now)
  if redis.call('ZCARD', P .. 'h:' .. b) == 0 then
    redis.call('DEL', P .. 'b:' .. b, P .. 'h:' .. b)
    local s, w = string.sub(b, 1, #b - 27), string.sub(b, -26)
    redis.call('ZREM', P .. 'i:' .. s, w)
    redis.call('ZREM', xb, b)
    redis.call('ZREM', xl, b)
    gone = gone + 1
  end
end
if #list == limit and gone > 0 then more = 1 end
dropped = dropped + gone
-- 3. reservations and 4. alert marks past their retention
for _, kind in ipairs({ { 'x:res', 'r:' }, { 'x:alerts', 'a:' } }) do
  local idx = P .. kind[1]
  list = redis.call('ZRANGEBYSCORE', idx, '-inf', nowS, 'LIMIT', 0, limit)
  for _, id in ipairs(list) do
    redis.call('DEL', P .. kind[2] .. id)
    redis.call('ZREM', idx, id)
  end
  dropped = dropped + #list
  if #list == limit then more = 1 end
end
return { dropped, more }
