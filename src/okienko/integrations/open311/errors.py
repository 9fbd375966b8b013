"""GeoReport v2 errors: ``<errors><error><code/><description/></error></errors>``."""

from __future__ import annotations


class Open311Error(Exception):
    """An error answered in the request's format; ``code`` is the HTTP status."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)

    def as_data(self) -> list[dict[str, object]]:
        return [{"code": self.status, "description": d} for d in self.descriptions]
