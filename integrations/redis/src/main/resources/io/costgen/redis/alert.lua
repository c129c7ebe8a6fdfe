-- markAlert: ARGV 2 alert suffix, 3 retain-until (us), 4 time to live (ms). { 1 } only the first time.
if redis.call('SET', P .. 'a:' .. ARGV[2], '1', 'NX', 'PX', ARGV[4]) then
  redis.call('ZADD', P .. 'x:alerts', ARGV[3], ARGV[2])
  return { 1 }
end
return { 0 }
