"""One BLAS thread while the engine computes, so that results do not depend on it.

A matrix product split over several BLAS threads may add its terms in another
order than one thread does (OpenBLAS does so for some shapes, e.g. a product
whose inner dimension is about a thousand), and float rounding makes the last
bits differ; a few hundred training steps turn that into visibly different
weights. The engine therefore computes with one BLAS thread whatever the process
was given (``OPENBLAS_NUM_THREADS``, a notebook's one per core), so the same spec
and seed give the same numbers bit for bit through the library, the command line
and the server. One thread is also the faster choice for the engine's many small
products.

:func:`one_blas_thread` wraps an entry point (a trainer's step or training call, a
frame's snapshot, a probe): on entry the BLAS libraries NumPy loaded are set to
one thread, and their thread counts are put back afterwards, so the rest of a
notebook keeps its threads. Entering costs about a microsecond where the count is
one already (the server), a few where it must be changed and put back (a
notebook), and a fraction of one inside another pinned call (the entry points
nest: a training call's steps are pinned calls too).

Threads: most BLAS builds (NumPy's OpenBLAS among them) have one count for the
whole process, which is then set by the first thread to enter and put back when
the last one leaves; a library whose count is per thread (OpenBLAS built on
OpenMP) is set and put back by each thread for itself. threadpoolctl lets only
one thread at a time change a process-wide OpenBLAS count; the engine takes that
turn when it needs it and gives it back at once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy  # noqa: F401  (loads NumPy's BLAS, which blas_libraries looks for)
from threadpoolctl import ThreadpoolController

_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = threading.Lock()
_depth = 0
"""Threads inside a pinned call now."""
_restore_shared: list[tuple[Any, int]] = []
"""(library, its count before) for each process-wide count set to one by the first
thread to enter, put back when the last one leaves."""
_libraries: list[Any] | None = None
"""threadpoolctl's controllers of the BLAS libraries loaded, found once per process."""


class _ThreadState(threading.local):
    """This thread's part: whether it is inside a pinned call (a nested call has
    nothing to do), and the per-thread counts it set, to put back on leaving."""

    inside = False
    restore: tuple[tuple[Any, int], ...] = ()


_here = _ThreadState()


def blas_libraries() -> list[Any]:
    """The controllers of the BLAS libraries in this process (NumPy's, loaded by
    this module's import of NumPy), found on first use."""
    global _libraries
    if _libraries is None:
        _libraries = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _libraries


def _per_thread(library: Any) -> bool:
    """Whether the library's count is each thread's own (OpenBLAS on OpenMP)."""
    return getattr(library, "threading_layer", None) == "openmp"


def _set(library: Any, threads: int) -> None:
    """Set the library's count, taking threadpoolctl's turn for a process-wide
    OpenBLAS count if another thread holds it, and handing it back."""
    library.set_num_threads(threads)
    hand_back = getattr(library, "clear_controlling_thread", None)
    if hand_back is None:
        return
    if library.get_num_threads() != threads:
        hand_back(force=True)
        library.set_num_threads(threads)
    hand_back()


def _enter() -> None:
    global _depth
    restore_here = []
    with _lock:
        _depth += 1
        for library in blas_libraries():
            threads = library.get_num_threads()
            if threads is None or threads == 1:
                continue
            _set(library, 1)
            if _per_thread(library):
                restore_here.append((library, threads))
            else:
                _restore_shared.append((library, threads))
    _here.restore = tuple(restore_here)


def _leave() -> None:
    global _depth
    with _lock:
        for library, threads in _here.restore:
            _set(library, threads)
        _here.restore = ()
        _depth -= 1
        if _depth == 0:
            while _restore_shared:
                library, threads = _restore_shared.pop()
                _set(library, threads)


def one_blas_thread(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run with every BLAS library of the process at one thread."""

    @functools.wraps(function)
    def pinned(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        here = _here
        if here.inside:
            return function(*args, **kwargs)
        _enter()
        here.inside = True
        try:
            return function(*args, **kwargs)
        finally:
            here.inside = False
            _leave()

    return pinned


def blas_thread_counts() -> list[int]:
    """The thread count of each BLAS library now, as this thread sees it."""
    return [library.get_num_threads() for library in blas_libraries()]
