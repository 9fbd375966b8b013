"""Saved offer searches with alerts by e-mail and SMS, offer ↔ CV matching with explanations and
the EURES link-out (issue 19, items 5, 6 and 8)."""
