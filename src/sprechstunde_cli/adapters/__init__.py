"""Outbound adapters that are not messengers: SMTP, Mastodon, the ICS feed, the website snippet."""
