-- Availability requests from a random date of the coming year, with the load-test token.
-- Set by run-wrk.sh: PRACTICE, MOTIF, TOKEN.
local practice = os.getenv("PRACTICE")
local motif = os.getenv("MOTIF")
local token = os.getenv("TOKEN")
local base = os.time()
math.randomseed(42)

request = function()
  local day = os.date("!%Y-%m-%d", base + math.random(0, 330) * 86400)
  local path = "/api/v1/practices/" .. practice .. "/availability?motif=" .. motif .. "&limit=10&from=" .. day
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
