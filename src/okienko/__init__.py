"""Okienko: one number and one window for every matter."""

__version__ = "0.1.0"
