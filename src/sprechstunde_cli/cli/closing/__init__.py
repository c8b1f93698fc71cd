"""Ending the hour: close, purge, receipt, stats."""
