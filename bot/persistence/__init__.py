"""Storage: the database and its schema, conversation state, encryption at rest, batched writes and stored policies."""
