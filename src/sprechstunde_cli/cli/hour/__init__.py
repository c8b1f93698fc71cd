"""The hour itself: `open` (the live hour) and `sessions`."""
