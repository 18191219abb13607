"""A tiny, thread-safe metrics registry that renders the Prometheus text format.

Any module may count things without importing the service::

    from causemap.metrics import RENDER_CACHE_HITS
    RENDER_CACHE_HITS.inc(format="svg")

The service exposes :data:`REGISTRY` at ``GET /metrics``. Figures are per process: with
several workers each one reports its own, as Prometheus expects from separate targets.

>>> registry = Registry()
>>> jobs = registry.counter("jobs_total", "Jobs run.", ("kind",))
>>> jobs.inc(kind="a")
>>> print(registry.render().strip())
# HELP jobs_total Jobs run.
# TYPE jobs_total counter
jobs_total{kind="a"} 1
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable

__all__ = [
    "DOT_TIMEOUTS",
    "HTTP_DISCONNECTS",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "REGISTRY",
    "RENDER_CACHE_HITS",
    "RENDER_CACHE_MISSES",
    "RENDER_OVERLOADED",
    "Counter",
    "Histogram",
    "Registry",
]

DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Iterable[str], values: Iterable[str], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Metric:
    kind = ""

    def __init__(self, name: str, help: str, labelnames: tuple[str, ...] = ()) -> None:
        self.name, self.help, self.labelnames = name, help, labelnames
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> tuple[str, ...]:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def _header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def lines(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    """A count that only goes up, per combination of label values."""

    kind = "counter"

    def __init__(self, name: str, help: str, labelnames: tuple[str, ...] = ()) -> None:
        super().__init__(name, help, labelnames)
        self._values: dict[tuple[str, ...], float] = {}

    def inc(self, amount: float = 1, **labels: str) -> None:
        """Add ``amount`` (default 1) for these label values."""
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0) + amount

    def value(self, **labels: str) -> float:
        """The current count for these label values."""
        with self._lock:
            return self._values.get(self._key(labels), 0)

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        if not items and not self.labelnames:
            items = [((), 0.0)]
        return [
            *self._header(),
            *(f"{self.name}{_labels(self.labelnames, k)} {_number(v)}" for k, v in items),
        ]


class Histogram(_Metric):
    """Observations (e.g. latencies) in cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labelnames: tuple[str, ...] = (),
        buckets: tuple[float, ...] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, help, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._values: dict[tuple[str, ...], tuple[list[int], float, int]] = {}

    def observe(self, value: float, **labels: str) -> None:
        """Record one observation for these label values."""
        key = self._key(labels)
        index = bisect.bisect_left(self.buckets, value)
        with self._lock:
            counts, total, count = self._values.get(key) or ([0] * len(self.buckets), 0.0, 0)
            if index < len(counts):
                counts[index] += 1
            self._values[key] = (counts, total + value, count + 1)

    def count(self, **labels: str) -> int:
        """How many observations there are for these label values."""
        with self._lock:
            found = self._values.get(self._key(labels))
        return found[2] if found else 0

    def lines(self) -> list[str]:
        with self._lock:
            items = sorted((k, (list(c), s, n)) for k, (c, s, n) in self._values.items())
        out = self._header()
        for key, (counts, total, count) in items:
            running = 0
            for bound, hits in zip(self.buckets, counts, strict=True):
                running += hits
                le = _labels(self.labelnames, key, f'le="{_number(bound)}"')
                out.append(f"{self.name}_bucket{le} {running}")
            inf = _labels(self.labelnames, key, 'le="+Inf"')
            out.append(f"{self.name}_bucket{inf} {count}")
            out.append(f"{self.name}_sum{_labels(self.labelnames, key)} {_number(total)}")
            out.append(f"{self.name}_count{_labels(self.labelnames, key)} {count}")
        return out


class Registry:
    """Named metrics, rendered together; asking twice for a name returns the same one."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}
        self._lock = threading.Lock()

    def _get(self, metric: _Metric) -> _Metric:
        with self._lock:
            found = self._metrics.setdefault(metric.name, metric)
        if type(found) is not type(metric) or found.labelnames != metric.labelnames:
            raise ValueError(f"metric {metric.name} already exists with another type or labels")
        return found

    def counter(self, name: str, help: str, labelnames: tuple[str, ...] = ()) -> Counter:
        """The counter called ``name``, created on first use."""
        found = self._get(Counter(name, help, labelnames))
        assert isinstance(found, Counter)
        return found

    def histogram(
        self,
        name: str,
        help: str,
        labelnames: tuple[str, ...] = (),
        buckets: tuple[float, ...] = DEFAULT_BUCKETS,
    ) -> Histogram:
        """The histogram called ``name``, created on first use."""
        found = self._get(Histogram(name, help, labelnames, buckets))
        assert isinstance(found, Histogram)
        return found

    def render(self) -> str:
        """Every metric in the Prometheus text exposition format (version 0.0.4)."""
        with self._lock:
            metrics = sorted(self._metrics.values(), key=lambda m: m.name)
        return "".join(line + "\n" for m in metrics for line in m.lines())


REGISTRY = Registry()
"""The process-wide registry that ``GET /metrics`` shows."""

HTTP_REQUESTS = REGISTRY.counter(
    "causemap_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ("method", "route", "status"),
)
HTTP_LATENCY = REGISTRY.histogram(
    "causemap_http_request_duration_seconds",
    "Time to answer HTTP requests (to the start of the response body), by route template.",
    ("method", "route"),
)
HTTP_DISCONNECTS = REGISTRY.counter(
    "causemap_http_client_disconnects_total",
    "HTTP requests whose client went away before an answer started (not answered, so not "
    "in causemap_http_requests_total), by method and route template.",
    ("method", "route"),
)
RENDER_CACHE_HITS = REGISTRY.counter(
    "causemap_render_cache_hits_total", "Renders answered from the render cache.", ("format",)
)
RENDER_CACHE_MISSES = REGISTRY.counter(
    "causemap_render_cache_misses_total", "Renders that had to be computed.", ("format",)
)
DOT_TIMEOUTS = REGISTRY.counter(
    "causemap_dot_timeouts_total", "Graphviz dot runs stopped for exceeding their time limit."
)
RENDER_OVERLOADED = REGISTRY.counter(
    "causemap_render_overloaded_total",
    "Renders refused with 503 because every dot slot stayed busy past the short wait.",
)
