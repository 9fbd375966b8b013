"""Test-wide environment, loaded as a pytest plugin (``-p tests.environment``) so it is in place
before pytest-django reads the settings: the test profile and a private var/ folder."""

import os
import tempfile

os.environ.setdefault("OKIENKO_PROFILE", "test")
os.environ.setdefault("OKIENKO_VAR_DIR", os.path.join(tempfile.gettempdir(), f"okienko-test-{os.getuid()}"))
os.environ.setdefault("OKIENKO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
