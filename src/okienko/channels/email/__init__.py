"""Inbound e-mail: one pipeline (``pipeline.ingest``) fed by an SMTP/LMTP listener and an IMAP
poller (ADR 0052)."""
