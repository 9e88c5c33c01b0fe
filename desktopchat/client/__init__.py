"""The client core: everything the window and the CLI share that is not a widget.

* Plain Python, no Qt: ``errors``, ``domain``, ``relay_client`` (HTTP to the relay),
  ``settings`` (TOML profiles), ``credentials`` (keyring), ``embedded`` (the local hub),
  ``timeline`` (ordering and de-duplication), ``cache`` (local SQLite).
* QtCore services: ``tasks`` (worker pool to the GUI thread), ``realtime`` (the pysher
  bridge), ``sync`` (catch-up and live events per room), ``outbox`` (durable sending).

Nothing here imports QtWidgets (enforced by import-linter), so the CLI runs them under a
QCoreApplication and tests run them headless.
"""
