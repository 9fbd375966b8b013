"""The maps' tests use the city of the case tests and the portal of the portal tests."""

from tests.cases.conftest import city, frozen  # noqa: F401  # fixtures
from tests.portal.conftest import portal  # noqa: F401  # fixture
