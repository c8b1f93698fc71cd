"""Messengers behind one small Protocol (`base.py`), declared in `registry.py`.

Each messenger is a package of the same shape: `settings.py` (its config section and what it can
do), `provider.py` (the Provider and its `create`), and the modules it needs beside them (an HTTP
`client.py`, receiving, deleting …). `http.py` is the one HTTP exchange, and `http_errors.py`
maps every failure to one error, for all.
"""
