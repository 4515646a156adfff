--[[
  Settles deliveries whose outcome is stored: drops each lease still held, with its message.

  KEYS[1] leases  zset lease member -> expiry
  KEYS[2] body    hash id -> raw
  KEYS[3] meta    hash id -> routing meta
  KEYS[4] dlv     hash id -> deliveries
  ARGV    lease members
  Returns how many were still held.
]]
--- @include "includes/bulk"
--- @include "includes/leaseJobId"
--- @include "includes/ackLeases"

return ackLeases(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV)
