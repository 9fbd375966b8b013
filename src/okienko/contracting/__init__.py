"""Kontraktor: labour offices contracting employment agencies (issue 17)."""
