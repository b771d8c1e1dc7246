"""Complexity checks that a busy machine cannot fail. A test guarding against a quadratic blow-up compares the
CPU time of this thread at two input sizes (`assert_linear`) instead of asserting seconds on the wall clock: other
processes and threads (a loaded 2-core CI machine, a server fixture in the background) do not count towards it,
and a ratio does not depend on how fast the machine is. Where the guard is that some work stays bounded whatever
the input's size, it counts the calls that work makes (`calls_into`)."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

Input = TypeVar("Input")

# An input GROWTH times larger takes ~10 times the CPU time when the work is linear and ~100 times when it is
# quadratic. The bound, GROWTH ** 1.5, is their geometric mean: either may be off by 3x before a check errs.
GROWTH = 10


def cpu_seconds(run: Callable[[], object]) -> float:
    """CPU time of this thread spent in `run()`, with the garbage collector off (as `timeit` has it): its passes
    over every object alive would bill a larger input for the objects of earlier tests."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.thread_time()
        run()
        return time.thread_time() - started
    finally:
        if was_enabled:
            gc.enable()


def assert_linear(work: Callable[[Input], object], make: Callable[[int], Input], n: int, factor: int = GROWTH) -> None:
    """Fail when `work` takes superlinear time in the size of its input: on `make(factor * n)` more than
    factor ** 1.5 times its CPU time on `make(n)` (inputs made beforehand). `make(n)` must be large enough that a
    quadratic part of the work would outweigh the constant part (a few milliseconds at least). Noise only ever
    adds time: the small input's least of three runs counts, and one run of the large input within the bound."""
    small, large = make(n), make(factor * n)
    small_s = max(min(cpu_seconds(lambda: work(small)) for _ in range(3)), 1e-6)
    ratios = []
    for _ in range(3):
        ratios.append(cpu_seconds(lambda: work(large)) / small_s)
        if ratios[-1] < factor**1.5:
            return
    raise AssertionError(f"{factor}x the input took {min(ratios):.1f}x the CPU time (linear: ~{factor}x)")


def calls_into(run: Callable[[], object], files: tuple[str, ...]) -> int:
    """How many times `run()` calls the named functions (no comprehensions) defined in `files` (paths relative to
    the repository): work counted, which no machine's load changes, for a guard that some work stays bounded."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> None:
        nonlocal count
        code = frame.f_code
        if event == "call" and not code.co_name.startswith("<") and code.co_filename.endswith(files):
            count += 1

    previous = sys.gettrace()  # a debugger's or coverage's, put back after
    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count
