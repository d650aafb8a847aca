"""Cases: one person's crisis episode, its queue position, its timeline and its outcome."""
