"""GraphQL object types, each built from a domain row."""
