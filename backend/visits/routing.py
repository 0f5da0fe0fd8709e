"""A short route through the day's stops: nearest neighbour, then 2-opt. Pure Python.

A round is small (a facilitator does a handful of visits a day, thirty at most), so an exact
optimum is not worth a solver: nearest neighbour gives a reasonable order, and 2-opt removes
its crossings (it reverses a stretch of the route whenever that makes it shorter). Distances
are great-circle ("as the crow flies", haversine): no road network, no external service.

The route is open: it starts at the start point and ends at the last stop (the facilitator
does not have to come back). Without a start point, it may start at any stop.
"""

import itertools
import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_matrix(points: Sequence[Point]) -> list[list[float]]:
    """Every pairwise distance, in kilometres: n² haversines, computed once."""
    return [[haversine_km(a, b) for b in points] for a in points]


def nearest_neighbour(matrix: Sequence[Sequence[float]], *, start: int = 0) -> list[int]:
    """A route from `start` that always goes to the nearest stop not visited yet (ties: the
    lowest index). O(n²)."""
    route = [start]
    left = set(range(len(matrix))) - {start}
    while left:
        here = route[-1]
        nearest = min(left, key=lambda i: (matrix[here][i], i))
        route.append(nearest)
        left.remove(nearest)
    return route


def two_opt(route: Sequence[int], matrix: Sequence[Sequence[float]]) -> list[int]:
    """Shortens an open route by reversing stretches of it; its first element stays first.

    Reversing route[i..k] replaces the legs (i-1 → i) and (k → k+1) by (i-1 → k) and
    (i → k+1); at the open end there is no leg after k. Each pass is O(n²) and the passes
    stop after n (or as soon as none improves), so O(n³) at worst.
    """
    route = list(route)
    n = len(route)
    epsilon = 1e-9  # ignore float noise: a "gain" of 1e-12 km is no gain and could loop
    for _ in range(n):
        improved = False
        for i in range(1, n - 1):
            for k in range(i + 1, n):
                before, first, last = route[i - 1], route[i], route[k]
                removed = matrix[before][first]
                added = matrix[before][last]
                if k + 1 < n:
                    after = route[k + 1]
                    removed += matrix[last][after]
                    added += matrix[first][after]
                if added < removed - epsilon:
                    route[i : k + 1] = reversed(route[i : k + 1])
                    improved = True
        if not improved:
            break
    return route


def route_length(route: Sequence[int], matrix: Sequence[Sequence[float]]) -> float:
    return sum(matrix[a][b] for a, b in itertools.pairwise(route))


def short_route(stops: Sequence[Point], *, start: Point | None = None) -> list[int]:
    """The order (indices into `stops`) in which to visit them, from `start` if given.

    Without a start point the route may begin at any stop: a virtual start at distance zero
    from every stop lets 2-opt choose the best end to begin from (nearest neighbour begins at
    the first stop, the lowest index winning ties).
    """
    if not stops:
        return []
    if start is not None:
        matrix = distance_matrix([start, *stops])
    else:
        inner = distance_matrix(stops)
        matrix = [[0.0] * (len(stops) + 1)] + [[0.0, *row] for row in inner]
    route = two_opt(nearest_neighbour(matrix, start=0), matrix)
    return [index - 1 for index in route[1:]]
