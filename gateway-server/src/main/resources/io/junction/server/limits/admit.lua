-- Junction: atomic admission of one call over all its scopes (a key, then its team).
-- The same semantics as MemoryLimitStore, whose SlidingWindow static methods are the reference for
-- the arithmetic below (Lua numbers are IEEE doubles, like Java's double: same operations in the
-- same order give the same results; counts are integers far below 2^53).
--
-- KEYS, six per scope i (0-based), at 6*i+1 .. 6*i+6:
--   requests bucket now, requests bucket before, tokens bucket now, tokens bucket before,
--   lease sorted set (member leaseId, score expiry ms), spend of the budget window holding now
-- ARGV[1] nowMs   ARGV[2] ms elapsed in the current minute   ARGV[3] tokens   ARGV[4] leaseId
-- ARGV[5] lease expiry (nowMs + leaseMs)   ARGV[6] leaseMs
-- then five per scope i at 7+5*i .. 11+5*i: rpm, tpm, concurrent, budget micros, ms to budget
--   window end ('' = no such cap)
-- Returns {0, scope index, kind (1 requests, 2 tokens, 3 concurrent, 4 budget), limit, used,
--   retry-after ms} when refused (nothing charged), else {1, then per scope: requests remaining
--   after this call (-1: no rpm), tokens remaining after this call (-1: no tpm), tokens window
--   reset ms when nothing was charged}.
local W = 60000
local now_arg = ARGV[1]
local e = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local n = #KEYS / 6

local function num(v)
  if v then
    return tonumber(v)
  end
  return 0
end

-- SlidingWindow.estimate
local function estimate(p, c)
  return p * (1.0 - e / W) + c
end

-- SlidingWindow.retryAfterMs
local function retry_after(p, c, cost, limit)
  if cost > limit then
    return -1
  end
  if estimate(p, c) + cost <= limit then
    return 0
  end
  if c + cost <= limit then
    local f = 1.0 - (limit - c - cost) / p
    return math.max(1, math.ceil(f * W) - e)
  end
  local f = 0
  if c ~= 0 then
    f = math.max(0, 1.0 - (limit - cost) / c)
  end
  return W - e + math.ceil(f * W)
end

-- SlidingWindow.resetMs
local function reset_ms(p, c)
  if c > 0 then
    return W - e + W
  end
  if p > 0 then
    return W - e
  end
  return 0
end

-- SlidingWindow.remaining
local function remaining(limit, est)
  return math.max(0, math.floor(limit - est))
end

local out = {1}
-- check every scope first; the first cap that refuses ends the script before anything is charged
for i = 0, n - 1 do
  local k = 6 * i
  local a = 7 + 5 * i
  local rpm = tonumber(ARGV[a])
  local tpm = tonumber(ARGV[a + 1])
  local conc = tonumber(ARGV[a + 2])
  local budget = tonumber(ARGV[a + 3])
  if budget then
    local spent = num(redis.call('GET', KEYS[k + 6]))
    if spent >= budget then
      return {0, i, 4, budget, spent, tonumber(ARGV[a + 4])}
    end
  end
  if conc then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 5], '-inf', now_arg)
    local in_flight = redis.call('ZCARD', KEYS[k + 5])
    if in_flight >= conc then
      return {0, i, 3, conc, in_flight, 1000}
    end
  end
  local rq_left, tk_left, tk_reset = -1, -1, -1
  if rpm then
    local p = num(redis.call('GET', KEYS[k + 2]))
    local c = num(redis.call('GET', KEYS[k + 1]))
    local est = estimate(p, c)
    if not (est + 1 <= rpm) then
      return {0, i, 1, rpm, math.ceil(est), retry_after(p, c, 1, rpm)}
    end
    rq_left = math.max(0, remaining(rpm, est) - 1)
  end
  if tpm then
    local p = num(redis.call('GET', KEYS[k + 4]))
    local c = num(redis.call('GET', KEYS[k + 3]))
    local est = estimate(p, c)
    if not (est + tokens <= tpm) then
      return {0, i, 2, tpm, math.ceil(est), retry_after(p, c, tokens, tpm)}
    end
    tk_left = math.max(0, remaining(tpm, est) - tokens)
    tk_reset = reset_ms(p, c)
  end
  out[#out + 1] = rq_left
  out[#out + 1] = tk_left
  out[#out + 1] = tk_reset
end

-- every scope passed: charge them all
local lease_ms = tonumber(ARGV[6])
for i = 0, n - 1 do
  local k = 6 * i
  local a = 7 + 5 * i
  if ARGV[a] ~= '' then
    redis.call('INCR', KEYS[k + 1])
    redis.call('PEXPIRE', KEYS[k + 1], 2 * W)
  end
  if ARGV[a + 1] ~= '' and tokens > 0 then
    redis.call('INCRBY', KEYS[k + 3], ARGV[3])
    redis.call('PEXPIRE', KEYS[k + 3], 2 * W)
  end
  if ARGV[a + 2] ~= '' then
    redis.call('ZADD', KEYS[k + 5], ARGV[5], ARGV[4])
    -- the set lives as long as its longest lease (a reload may have shortened the lease time)
    if redis.call('PTTL', KEYS[k + 5]) < lease_ms then
      redis.call('PEXPIRE', KEYS[k + 5], ARGV[6])
    end
  end
end
return out
