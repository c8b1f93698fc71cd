"""Messenger backends. Each module is one provider; only code here speaks to a messenger."""
