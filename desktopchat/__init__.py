"""desktopchat: a native desktop chat on Pusher Channels, with an embedded Pusher-compatible hub."""

__version__ = "0.1.0"
