"""Every outbound call goes through a durable outbox: written with the action, signed, idempotent, retried with
backoff and jitter until acknowledged, and handed to a human when it cannot get through."""
