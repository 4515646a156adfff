--[[
  Settles deliveries whose outcome is stored: drops each lease still held (not expired), with its
  message.

  KEYS[1] leases  zset lease member -> expiry
  KEYS[2] body    hash id -> raw
  KEYS[3] meta    hash id -> routing meta
  KEYS[4] dlv     hash id -> deliveries
  KEYS[5] run     hash id -> start of a run whose STARTED is implied
  ARGV    lease members
  Returns how many were still held.
  Events: none.
]]
--- @include "includes/nowMs"
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/ackLeases"

local leases, body, meta, dlv, run = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
return ackLeases(leases, body, meta, dlv, run, ARGV, nowMs())
