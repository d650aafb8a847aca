"""Missing-person alerts: who may be published, where the alert goes and how far, CAP 1.2 messages, tips.

Pure domain code: no database, no web framework, no bus. The edges (storage, HTTP, fan-out) call into these modules.
"""
