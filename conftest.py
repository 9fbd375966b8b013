"""Test-wide environment: the test profile, a private var/ folder, no network."""

import os
import tempfile

os.environ.setdefault("OKIENKO_PROFILE", "test")
os.environ.setdefault("OKIENKO_VAR_DIR", os.path.join(tempfile.gettempdir(), f"okienko-test-{os.getuid()}"))
os.environ.setdefault("OKIENKO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
