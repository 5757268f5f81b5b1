-- wrk script for `make bench`: each request takes the next item of a Lua data file
-- ({token, path, body-or-nil}) written by tools/bench/tokens.py.
-- Arguments (after `--`): data file, HTTP method, number of wrk threads.
-- Thread n of T sends items n+1, n+1+T, n+1+2T, ... so one-shot items (an exam to submit)
-- are each used once per run; the list wraps round when exhausted.
-- done() prints one machine-readable line: BENCH_RESULT {json}. No response() hook: it
-- would make wrk hand every body to Lua; summary.errors.status counts the non-2xx answers.

local next_thread_id = 0

function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
end

function init(args)
  items = dofile(args[1])
  method = args[2]
  step = tonumber(args[3])
  position = thread_id
end

function request()
  local item = items[(position % #items) + 1]
  position = position + step
  local headers = { ["Authorization"] = "Bearer " .. item[1], ["Accept"] = "application/json" }
  if item[3] ~= nil then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, item[2], headers, item[3])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
