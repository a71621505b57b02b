"""Long jobs report progress and honour cancel (STYLE.md §5), with no Qt.

A long job is a generator that yields ``(fraction, message)`` pairs (a :data:`Progress`) and
returns its result. The command line drains it (printing the messages or not), the window runs
it in a worker thread that shows the fraction and stops asking for the next step on Cancel.
This module is the one home of the type and the three ways of driving such a generator.

Examples
--------
>>> def job(n):
...     for i in range(n):
...         yield i / n, f"step {i}"
...     return n * 10
>>> drain(job(3))
30
>>> seen = []
>>> drain(job(2), seen.append)
20
>>> seen
[(0.0, 'step 0'), (0.5, 'step 1')]
>>> def outer():
...     value = yield from scaled(job(2), 0.5, 1.0)
...     return value + 1
>>> [f for f, _ in _steps(outer())]
[0.5, 0.75]
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

Progress = tuple[float, str]
"""One step of a long job: the fraction done (0 to 1) and what it is doing."""

T = TypeVar("T")
Job = Generator[Progress, None, T]


def drain(gen: Job[T], on_step: Callable[[Progress], object] | None = None) -> T:
    """Run a progress generator to its end and return its value.

    Parameters
    ----------
    gen : generator of Progress
        The job.
    on_step : callable, optional
        Called with each ``(fraction, message)``, e.g. to print it.
    """
    while True:
        try:
            step = next(gen)
        except StopIteration as stop:
            return stop.value
        if on_step is not None:
            on_step(step)


def scaled(gen: Job[T], lo: float, hi: float) -> Generator[Progress, None, T]:
    """Re-yield *gen*'s steps with fractions mapped onto ``[lo, hi]``; return its value.

    Lets a job made of several jobs report one fraction from 0 to 1:
    ``net = yield from scaled(iter_build_network(...), 0.0, 0.5)``.
    """
    while True:
        try:
            frac, msg = next(gen)
        except StopIteration as stop:
            return stop.value
        yield lo + (hi - lo) * frac, msg


def _steps(gen: Job[Any]) -> list[Progress]:
    """All the steps of *gen* (for doctests)."""
    out: list[Progress] = []
    drain(gen, out.append)
    return out
