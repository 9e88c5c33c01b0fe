"""The hub: a Pusher Channels-compatible server (and, later, the relay) in one aiohttp process.

Layout, from the inside out:

* ``limits``, ``frames``, ``signing``, ``presence``, ``actions`` and ``core`` are the protocol
  with no I/O: JSON frames in, actions (frames to deliver, sockets to close) out. Tests drive
  them with data only.
* ``websocket`` and ``http_api`` are the thin aiohttp layers over that core;
  ``app`` wires them onto one port, ``runner`` runs it (foreground or in a thread).

Nothing here imports Qt or the client side (enforced by import-linter): the desktop app talks
to an embedded hub only over the network, exactly as it would to a remote one.
"""
