"""The community's model and rules: knows nothing of HTTP or GraphQL."""
