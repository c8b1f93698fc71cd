"""WhatsApp through WAHA, the self-hosted WhatsApp HTTP API that links the service phone.

`provider.py` is the Provider; `client.py` the HTTP surface; `receive.py` polling with a cursor
(`listing.py` pages through a chat's messages);
`events.py` the WebSocket on which calls arrive; `delete.py` deleting and listing again;
`media.py` downloads; `checks.py` what `doctor` checks; `settings.py` the engines' abilities.
"""
