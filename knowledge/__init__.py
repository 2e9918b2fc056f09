"""The knowledge base: school policies as data, their clauses, the intent catalog and the
matcher. Pure Python with no channel or botbuilder imports, so it can move to any bot SDK."""
