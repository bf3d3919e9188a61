-- wrk script of the Space Inbox benchmark (bench/load.py writes its targets file).
--
-- Every request is the next line of the targets file, so the load rotates over many
-- members' real WordPress cookies and nonces. A line is, tab-separated:
--   METHOD  PATH  COOKIE  NONCE  BODY
-- In BODY, %KEY% becomes a key no other request of the run uses (sends are idempotent
-- per client_key: a repeated key would write nothing). done() prints one line,
-- "BENCHJSON {...}", with the counts and the latency percentiles in microseconds.
--
--   wrk -t1 -c32 -d10s -s bench/rotate.lua http://127.0.0.1:PORT -- targets.tsv RUNTAG

local targets = {}
local next_index = 1
local sent = 0
local tag = "run"

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

-- Statuses are counted here: PHP's built-in server ends every response by closing the
-- connection (no Content-Length), which wrk also counts as a read error.
ok_responses = 0
bad_responses = 0
function response(status, headers, body)
  if status < 400 then
    ok_responses = ok_responses + 1
  else
    bad_responses = bad_responses + 1
  end
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  tag = args[2] or tag
  for line in io.lines(args[1]) do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      if f[3] ~= "" then headers["Cookie"] = f[3] end
      if f[4] ~= "" then headers["X-WP-Nonce"] = f[4] end
      local body = f[5] or ""
      local target = {method = f[1], path = f[2], headers = headers, body = body}
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      end
      if not body:find("%KEY%", 1, true) then
        target.raw = wrk.format(f[1], f[2], headers, body ~= "" and body or nil)
      end
      targets[#targets + 1] = target
    end
  end
  local n = thread_number or 1
  next_index = ((n - 1) * 7919) % #targets + 1
end

function request()
  local t = targets[next_index]
  next_index = next_index % #targets + 1
  if t.raw then
    return t.raw
  end
  sent = sent + 1
  local key = string.format("%s-%d-%d", tag, thread_number or 1, sent)
  local body = t.body:gsub("%%KEY%%", key)
  return wrk.format(t.method, t.path, t.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("ok_responses") or 0)
    bad = bad + (thread:get("bad_responses") or 0)
  end
  io.write(string.format(
    'BENCHJSON {"ok": %d, "bad": %d, "requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d}\n',
    ok, bad, summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
