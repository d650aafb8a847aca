"""Storage: engine, sessions, migrations. Domain services receive a Session; they never commit."""
