"""Webhooks: domain events POSTed, signed, to subscribed systems, with retries and a delivery log."""
