-- Junction: the end of a call's accounting, over all its scopes (MemoryLimitStore.settle).
-- KEYS, two per scope i (0-based): the tokens bucket that counted the call at admission, the spend
--   of the budget window holding now
-- ARGV[1] token correction   ARGV[2] cost in micro-dollars
-- then three per scope i at 3+3*i .. 5+3*i: '1' to correct the tokens bucket, '1' to charge the
--   spend, the spend key's time to live in ms (window end + 1 day)
-- Returns each scope's spend after the charge, -1 for a scope without a budget.
local delta = tonumber(ARGV[1])
local out = {}
for i = 0, #KEYS / 2 - 1 do
  local a = 3 + 3 * i
  if ARGV[a] == '1' then
    local v = tonumber(redis.call('GET', KEYS[2 * i + 1]) or '0') + delta
    if v < 0 then
      v = 0
    end
    redis.call('SET', KEYS[2 * i + 1], string.format('%d', v), 'PX', 120000)
  end
  if ARGV[a + 1] == '1' then
    out[i + 1] = redis.call('INCRBY', KEYS[2 * i + 2], ARGV[2])
    redis.call('PEXPIRE', KEYS[2 * i + 2], ARGV[a + 2])
  else
    out[i + 1] = -1
  end
end
return out
