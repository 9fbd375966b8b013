"""Read-only reporting (issue 20): rollups kept from the outbox, public statistics and open data."""
