"""Signals: events from platforms, validated, deduplicated, kept in a durable inbox until processed."""
