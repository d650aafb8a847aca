"""Detection: what a signal says about a person's risk. Pure code: no database, no web."""
