"""Channel adapters: turn what clients send on each channel (e-mail first) into interactions and
case notes (ARCHITECTURE.md). The Django Channels library already holds the app label
``channels``; this app's label is ``channel_adapters``."""
