"""Plane geometry on (x, y) = (longitude, latitude) rings, shared by the shipped boundaries
(``okienko.core.reference``) and the areas an organisation imports (``okienko.reports.areas``).

Rings are lists of points whose last point repeats the first (GeoJSON); a polygon is its outer ring
followed by its holes. Small areas (a city, a powiat) are treated as flat: good enough to tell in
which of them a point lies, not for surveying.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

Point = tuple[float, float]
Ring = Sequence[Sequence[float]]
Polygon = Sequence[Ring]
BBox = tuple[float, float, float, float]  # south, west, north, east


def inside_ring(ring: Ring, x: float, y: float) -> bool:
    """Even-odd rule: does the horizontal ray from (x, y) cross the ring an odd number of times?"""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside_polygons(polygons: Sequence[Polygon], x: float, y: float) -> bool:
    """Is (x, y) inside any polygon's outer ring and outside its holes?"""
    return any(
        inside_ring(polygon[0], x, y) and not any(inside_ring(hole, x, y) for hole in polygon[1:])
        for polygon in polygons
        if polygon
    )


def bbox_of(polygons: Sequence[Polygon]) -> BBox:
    """(south, west, north, east) around the outer rings."""
    xs = [float(p[0]) for polygon in polygons for p in polygon[0]]
    ys = [float(p[1]) for polygon in polygons for p in polygon[0]]
    return (min(ys), min(xs), max(ys), max(xs))


def ring_area(ring: Ring) -> float:
    """The shoelace area of a ring in square degrees (unsigned)."""
    total = 0.0
    for a, b in itertools.pairwise(ring):
        total += float(a[0]) * float(b[1]) - float(b[0]) * float(a[1])
    return abs(total) / 2


def area_of(polygons: Sequence[Polygon]) -> float:
    """Outer rings minus holes, in square degrees: to prefer the smaller of two nested areas."""
    return sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in polygons if p)


def polygons_of(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (a list of one or many)."""
    coordinates: list[Any] = geometry.get("coordinates") or []
    return [coordinates] if geometry.get("type") == "Polygon" else list(coordinates)
