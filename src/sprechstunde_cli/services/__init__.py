"""Use cases: each takes the store, the provider and the time as arguments."""
