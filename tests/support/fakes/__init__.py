"""Stateful fakes of the messenger APIs, checked against their published documents."""
