"""The demo IVR flows, as JSON (a package so that the flows ship with the wheel)."""
