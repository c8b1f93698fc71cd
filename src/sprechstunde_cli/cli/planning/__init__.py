"""Planning ahead: schedule (the calendar, ICS, website snippet) and announce."""
