-- Booking attempts over HTTP: 80 % of them on the hot 5 % of places, the rest on any place.
-- Set by run-bookings.sh: PRACTICE, MOTIF, TOKEN, PATIENTS (comma-separated), PLACES (a file of
-- "practitionerId start" lines, the hot ones first), HOT (how many hot lines), ATTEMPTS (per wrk thread), DONE_MARKER
-- (a file written when this thread has its answers); HOT_SHARE: the share of attempts on the hot places (default 0.8).
local practice, motif, token = os.getenv("PRACTICE"), os.getenv("MOTIF"), os.getenv("TOKEN")
local hot, attempts = tonumber(os.getenv("HOT")), tonumber(os.getenv("ATTEMPTS"))
local hotShare = tonumber(os.getenv("HOT_SHARE") or "0.8")
local patients, places = {}, {}
for id in string.gmatch(os.getenv("PATIENTS"), "[^,]+") do patients[#patients + 1] = id end
for line in io.lines(os.getenv("PLACES")) do
  local practitioner, start = line:match("^(%S+) (%S+)$")
  places[#places + 1] = { practitioner, start }
end
local path = "/api/v1/practices/" .. practice .. "/appointments"
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
-- wrk's own duration is the -d it was given; the time until the last answer is measured here (LuaJIT's FFI).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } permanence_timeval;
  int gettimeofday(permanence_timeval *tv, void *tz);
]]
local function seconds()
  local tv = ffi.new("permanence_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end
local threads = {}
statuses = {}
samples = {}
answered = 0
began = 0
elapsed = 0

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(7 + #threads)
  began = seconds()
end

request = function()
  local place = math.random() < hotShare and places[math.random(1, hot)] or places[math.random(1, #places)]
  local body = string.format('{"patientId":"%s","practitionerId":"%s","motifId":"%s","start":"%s"}',
    patients[math.random(1, #patients)], place[1], motif, place[2])
  return wrk.format("POST", path, headers, body)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 201 and status ~= 409 and not samples[status] then samples[status] = body:sub(1, 300) end
  answered = answered + 1
  if answered >= attempts then
    elapsed = seconds() - began
    -- run-bookings.sh waits for this file, then interrupts wrk, which then reports at once.
    local marker = io.open(os.getenv("DONE_MARKER"), "w")
    marker:write("done\n")
    marker:close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local total, answers, longest = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + count end
    answers = answers + thread:get("answered")
    longest = math.max(longest, thread:get("elapsed"))
  end
  for status, count in pairs(total) do io.write(string.format("status %d: %d\n", status, count)) end
  for _, thread in ipairs(threads) do
    for status, body in pairs(thread:get("samples")) do io.write(string.format("sample %d: %s\n", status, body)) end
  end
  io.write(string.format("answers: %d in %.2f s = %.0f/s; latency median %.2f ms, p99 %.2f ms\n", answers, longest,
    answers / longest, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
