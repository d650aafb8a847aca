"""Who may do what: console users with roles, partner API keys with scopes."""
