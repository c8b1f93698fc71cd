"""Pure domain values and rules: no I/O, time is always passed in."""
