-- release: ARGV 2 reservation id, 3 now. Frees a held reservation's holds; { 1 } if it was held.
local res = ARGV[2]
local rk = P .. 'r:' .. res
if redis.call('HGET', rk, 'st') ~= 'H' then return { 0 } end
local n = tonumber(redis.call('HGET', rk, 'n'))
for j = 1, n do
  local v = redis.call('HMGET', rk, 's' .. j, 'w' .. j)
  local b = v[1] .. ':' .. v[2]
  local bk = P .. 'b:' .. b
  local h = redis.call('HGET', bk, 'h:' .. res)
  if h then
    redis.call('HSET', bk, 'r', dsub(redis.call('HGET', bk, 'r') or '0', h))
    redis.call('HDEL', bk, 'h:' .. res)
    redis.call('ZREM', P .. 'h:' .. b, res)
  end
end
redis.call('HSET', rk, 'st', 'R')
return { 1 }
