"""The domain: aggregates, events, value objects, policy and rules. Pure: no I/O and no clock."""
