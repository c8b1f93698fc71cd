"""The machine underneath: paths, private files, the log, credentials, the system clock."""
