"""A bounded HTTP load client for the benchmarks: N threads, each sending requests one after
the other (a closed loop, no think time) to 127.0.0.1 with http.client, until a request
count or a time limit is reached, whichever comes first. Standard library only.

Gunicorn's sync workers close the connection after each response, so every request opens
its own TCP connection: what a phone does too, give or take TLS.
"""

import http.client
import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    """Latencies (ms) of the successful requests measured, errors by status, and the wall
    time of the measured part (warm-up excluded)."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    statuses: Counter = field(default_factory=Counter)

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]

    @property
    def p50(self) -> float | None:
        return self.percentile(50)

    @property
    def p95(self) -> float | None:
        return self.percentile(95)

    @property
    def throughput(self) -> float | None:
        """Successful requests a second over the measured part."""
        return len(self.latencies) / self.elapsed if self.elapsed else None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def send(base_url: str, request: Request, *, timeout: float = 30) -> tuple[int, bytes, dict]:
    """One request; returns (status, body, headers) with headers as a multi-dict of lists."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        headers: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        return response.status, body, headers
    finally:
        connection.close()


def run_load(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    clients: int,
    requests: int,
    seconds: float,
    warmup: int = 0,
    first: int = 0,
    expect: tuple[int, ...] = (200, 201),
) -> Result:
    """Sends up to `requests` requests from `clients` threads, for `seconds` at most, after
    `warmup` requests sent the same way but not measured (workers' first requests load code
    and open database connections). `make_request(i)` builds the i-th request, i counting
    from `first` (warm-up included): distinct indexes make distinct requests across calls.

    A request answered with a status outside `expect` counts as an error, and its latency
    is not measured."""
    options = {"clients": clients, "seconds": seconds, "expect": expect}
    if warmup:
        _load(base_url, make_request, first=first, requests=warmup, **options)
    return _load(base_url, make_request, first=first + warmup, requests=requests, **options)


def merged(results: list[Result]) -> Result:
    """Rounds of one measure as one result (their latencies, errors and times added up)."""
    total = Result()
    for result in results:
        total.latencies.extend(result.latencies)
        total.errors.update(result.errors)
        total.statuses.update(result.statuses)
        total.elapsed += result.elapsed
    return total


def _load(base_url, make_request, *, clients, first, requests, seconds, expect) -> Result:
    result = Result()
    counter = itertools.count(first)
    last = first + requests
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def worker():
        while time.monotonic() < deadline:
            index = next(counter)
            if index >= last:
                return
            request = make_request(index)
            begin = time.perf_counter()
            try:
                status, _body, _headers = send(base_url, request)
            except OSError as exc:  # refused, reset, timed out: an error, not a crash
                status = type(exc).__name__
            latency = (time.perf_counter() - begin) * 1000
            with lock:
                result.statuses[status] += 1
                if status in expect:
                    result.latencies.append(latency)
                else:
                    result.errors[status] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: every request has a timeout, and none starts after the deadline.
        thread.join()
    result.elapsed = time.monotonic() - started
    return result
