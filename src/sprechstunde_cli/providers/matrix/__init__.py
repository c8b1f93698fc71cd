"""Matrix: the office's account on a homeserver (openDesk, BundesMessenger, Element).

A thread is a room: a citizen opens a direct chat with the office account, the provider joins
it on the invite. With the office's own Synapse and an admin account, the purge reaches the
server (`admin.py`); otherwise it redacts, leaves and forgets (`rooms.py`).
"""
