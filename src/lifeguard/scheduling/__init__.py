"""Durable timers: a table polled by one scheduler per cluster, chosen by a lease. Nothing lives in memory."""
