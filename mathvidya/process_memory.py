"""glibc malloc settings for long-running processes (web workers, the RQ worker).

- At most two arenas per process (as MALLOC_ARENA_MAX=2): each thread otherwise grows an
  arena of its own that is never given back.
- A fixed mmap threshold of 512 KiB: a large block (a 19 MiB Argon2 hash, a big response)
  is always mapped and unmapped on its own. glibc otherwise raises the threshold after the
  first such block is freed and serves the next ones from the heaps, which then stay at
  their high-water mark (measured: four threads hashing five passwords each leave a
  process at 89 MiB instead of 13 MiB).

Called before the process's threads allocate (gunicorn.conf.py, mathvidya.worker). A libc
other than glibc has no mallopt: nothing is tuned then.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's mallopt parameter numbers
M_MMAP_THRESHOLD = -3
ARENAS = 2
MMAP_THRESHOLD_BYTES = 512 * 1024


def tune_malloc() -> bool:
    """Apply the settings above; False where malloc cannot be tuned."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, ARENAS)) and bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
