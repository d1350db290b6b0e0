"""Keeping freed memory for the next frame: the C allocator's settings for an
engine process.

A live frame allocates and frees the same arrays every time: a lab frame's
im2col columns and feature maps are a few hundred kilobytes to a few megabytes
each. With glibc's default settings such blocks come from fresh ``mmap`` calls
(above the mmap threshold) or from the top of the heap, which goes back to the
system whenever more than the trim threshold of it is free; either way the next
frame takes a page fault for every 4 KB page it touches again, and the kernel
zeroes each page. Measured on the convolution lab lesson: about 840 page faults
and 3 ms of kernel time per frame (a sixth of the frame), none with the settings
below.

With them an engine process keeps the memory it freed and reuses it. What it
holds beyond its live data is bounded by the largest working set one request
needs (a frame or a probe of one run at a time), not by the number of frames.

Only glibc has these settings; elsewhere :func:`keep_freed_memory` does nothing.
"""

from __future__ import annotations

import ctypes
import platform

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter numbers (malloc.h)."""

MMAP_THRESHOLD = 32 * 2**20
"""Blocks below this come from the heap, not from their own mapping: glibc's
largest allowed value on 64-bit systems (half its heap size)."""

TRIM_THRESHOLD = 256 * 2**20
"""Free memory at the heap's top is returned to the system only beyond this."""


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds for this process (see the module's
    text); True if both were set, False where the C library is not glibc or
    refused."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # the trim threshold first: setting either one turns off glibc's dynamic
    # adjustment of both
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
