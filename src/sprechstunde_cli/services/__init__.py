"""Use cases. Each takes the store, the provider and the time as arguments (DESIGN §4)."""
