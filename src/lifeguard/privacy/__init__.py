"""Privacy by design: special-category fields encrypted at rest, reveals audited, deletion on schedule."""
