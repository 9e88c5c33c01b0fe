"""The relay: accounts, rooms, message history and channel authorization over HTTP.

It holds the Pusher secret so clients never do, and triggers every room event through the
official ``pusher`` library — against the hub it is mounted in, or against Pusher Channels or
any compatible cluster when run standalone (``desktopchat relay``). Layout:

* ``models`` (what crosses the API), ``store`` (the storage interface) and ``sqlite_store``
  (its first implementation, with versioned migrations);
* ``passwords``, ``ratelimit``, ``avatars``: small single-purpose helpers;
* ``publisher``: the only code that talks to Pusher;
* ``api_*``: the HTTP handlers, wired by ``app``.
"""
