-- totals: ARGV 2 series, 3 count-from start, 4 now. Spend and live holds, exact.
local sp, rs = counted(ARGV[2], ARGV[3], tonumber(ARGV[4]))
return { sp, rs }
