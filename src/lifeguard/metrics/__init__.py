"""Counters a platform and its operators watch: signals by outcome, open cases by priority."""
