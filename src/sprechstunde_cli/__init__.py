"""sprechstunde: run a citizens' consultation hour over a messenger, from a terminal."""

__version__ = "0.1.0"
