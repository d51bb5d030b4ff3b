"""Validation of area boundaries: a GeoJSON Polygon or MultiPolygon (RFC 7946), WGS-84."""

from __future__ import annotations

from typing import Any

#: Enough for a detailed street boundary; bigger payloads are refused, not stored.
MAX_POSITIONS = 20_000


class BoundaryInvalid(ValueError):
    pass


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise BoundaryInvalid("a position is [longitude, latitude]")
    lng, lat = value[0], value[1]
    for number in (lng, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise BoundaryInvalid("coordinates must be numbers")
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise BoundaryInvalid("coordinates out of range")
    return float(lng), float(lat)


def _polygon(rings: Any, budget: list[int]) -> None:
    if not isinstance(rings, list) or not rings:
        raise BoundaryInvalid("a polygon is a non-empty list of rings")
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise BoundaryInvalid("a ring needs at least four positions")
        budget[0] -= len(ring)
        if budget[0] < 0:
            raise BoundaryInvalid("too many positions")
        positions = [_position(p) for p in ring]
        if positions[0] != positions[-1]:
            raise BoundaryInvalid("a ring must be closed")


def validate_boundary(value: Any) -> dict[str, Any] | None:
    """Returns the geometry to store (a Feature is unwrapped), or raises BoundaryInvalid."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BoundaryInvalid("not a GeoJSON object")
    if value.get("type") == "Feature":
        value = value.get("geometry")
        if not isinstance(value, dict):
            raise BoundaryInvalid("the feature has no geometry")
    kind, coordinates = value.get("type"), value.get("coordinates")
    budget = [MAX_POSITIONS]
    if kind == "Polygon":
        _polygon(coordinates, budget)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise BoundaryInvalid("a multipolygon is a non-empty list of polygons")
        for polygon in coordinates:
            _polygon(polygon, budget)
    else:
        raise BoundaryInvalid("only Polygon and MultiPolygon are accepted")
    return {"type": kind, "coordinates": coordinates}
