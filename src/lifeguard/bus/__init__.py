"""The event bus: in-process by default; NATS JetStream for scale-out comes with its own issue."""
