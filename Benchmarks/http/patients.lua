-- Patient searches or caller-ID lookups, from the samples `permanence seed-patients` wrote (practice id, tab, query).
-- Set by run-patients.sh: SAMPLES (the .tsv file), ROUTE ("search" or "caller-id"), TOKEN.
local token = os.getenv("TOKEN")
local route = os.getenv("ROUTE")
local samples = {}
for line in io.lines(os.getenv("SAMPLES")) do
  local practice, query = line:match("^(%S+)\t(.+)$")
  if practice then samples[#samples + 1] = { practice, query } end
end
local next_sample = 0

request = function()
  next_sample = next_sample % #samples + 1
  local sample = samples[next_sample]
  local path
  if route == "search" then
    path = "/api/v1/practices/" .. sample[1] .. "/patients?q=" .. sample[2]
  else
    path = "/api/v1/practices/" .. sample[1] .. "/patients/caller-id?number=" .. sample[2]
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

-- PACE_MS: each connection waits this long after an answer before its next request (wrk's `delay`; the latency it
-- reports starts when the request is sent): 16 consoles asking at a set rate rather than as fast as the server answers.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then
  delay = function() return pace end
end
