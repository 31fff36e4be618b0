-- FHIR Slot searches: one practitioner's free slots of the motif over a 4-week window starting on a random day of the
-- coming 11 months. Set by run-connections.sh: PRACTITIONER, MOTIF, TOKEN.
local practitioner = os.getenv("PRACTITIONER")
local motif = os.getenv("MOTIF")
local token = os.getenv("TOKEN")
local base = os.time() + 86400
math.randomseed(23)

request = function()
  local from = base + math.random(0, 300) * 86400
  local path = "/fhir/Slot?schedule=Schedule/" .. practitioner .. "&service-type=urn:permanence:motif%7C" .. motif
    .. "&start=ge" .. os.date("!%Y-%m-%d", from) .. "&start=lt" .. os.date("!%Y-%m-%d", from + 28 * 86400) .. "&_count=100"
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/fhir+json" })
end
