"""Everything a person reads: terminal views, plain lines, JSON shapes, and the one sanitizer.

Import the submodules; this package imports nothing, so `render.sanitize` stays cheap to load.
"""
