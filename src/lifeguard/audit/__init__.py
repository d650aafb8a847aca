"""The tamper-evident record of every action: a hash chain over an append-only table."""
