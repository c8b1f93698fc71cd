"""The built-in local messenger: a real messenger on this machine, for rehearsals.

`server.py` is its "server", one SQLite file that citizens (other processes: `sprechstunde
sandbox …`) write to and read from (its lookups and read receipts are in `reading.py`);
`provider.py` is the office's side, through the same Provider interface every remote messenger
implements.
"""
