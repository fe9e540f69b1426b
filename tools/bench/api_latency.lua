-- wrk script of tools/bench/api-at-scale: sends the bearer token of the
-- bench server (environment CSHIELD_TOKEN) with every request and, when
-- the run is done, prints one line the bench parses:
--   RESULT <requests/s> <p50 ms> <p99 ms> <max ms> <errors>
-- errors: connect, read, write and timeout errors plus responses that are
-- not 2xx/3xx.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CSHIELD_TOKEN")

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors))
end
