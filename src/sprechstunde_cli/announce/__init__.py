"""Announcements: settings, the ICS feed and website snippet, and the adapters that post them."""
