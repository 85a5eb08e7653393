"""A small closed-loop HTTP load generator for loopback servers (standard library only).

`concurrency` threads each keep one HTTP/1.1 keep-alive connection per server address and send GET
requests back to back; the addresses are used in turn (client-side round-robin over the server
processes). Every run is bounded twice: by a fixed request count and by a wall-clock limit.
"""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def percentile(sorted_values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def run(
    addresses: list[tuple[str, int]],
    paths: Callable[[int], str],
    *,
    requests: int,
    concurrency: int,
    cookie: str,
    time_limit: float,
    timeout: float = 30.0,
) -> dict:
    """Send `requests` GETs (path i is paths(i)) with `concurrency` workers; return latency figures."""
    for host, _port in addresses:
        if host not in LOOPBACK:
            raise ValueError(f"refusing to load anything but loopback, not {host}")
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    sizes: list[int] = []
    deadline = time.monotonic() + time_limit
    headers = {"Cookie": cookie, "Accept": "text/html", "Connection": "keep-alive"}

    def worker(index: int) -> None:
        connections: dict[tuple[str, int], http.client.HTTPConnection] = {}
        turn = index
        while time.monotonic() < deadline:
            with lock:
                i = next(counter)
            if i >= requests:
                break
            address = addresses[turn % len(addresses)]
            turn += 1
            conn = connections.get(address)
            if conn is None:
                conn = connections[address] = http.client.HTTPConnection(*address, timeout=timeout)
            path = paths(i)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                status: int | str = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    connections.pop(address, None)
            except (OSError, http.client.HTTPException) as exc:
                elapsed = (time.perf_counter() - started) * 1000
                status, body = type(exc).__name__, b""
                conn.close()
                connections.pop(address, None)
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
                sizes.append(len(body))
        for conn in connections.values():
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_limit + timeout + 5)
    wall = time.perf_counter() - started
    values = sorted(latencies)
    ok = statuses.get(200, 0)
    return {
        "requests": len(values),
        "planned_requests": requests,
        "concurrency": concurrency,
        "complete": len(values) >= requests,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": len(values) - ok,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(values) / wall, 1) if wall else None,
        "mean_bytes": round(statistics.mean(sizes)) if sizes else 0,
        "ms": {
            "min": round(values[0], 1) if values else None,
            "p50": round(percentile(values, 50), 1),
            "p90": round(percentile(values, 90), 1),
            "p95": round(percentile(values, 95), 1),
            "p99": round(percentile(values, 99), 1),
            "max": round(values[-1], 1) if values else None,
            "mean": round(statistics.mean(values), 1) if values else None,
        },
    }
