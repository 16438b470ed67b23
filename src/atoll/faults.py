"""Fault injection for crash tests: ``ATOLL_PAUSE_AT=<point>`` makes the process stop at the
named point (announcing ``atoll: paused at <point>`` on stderr) and wait there forever, so a
test can ``kill -9`` it at an exact, known moment instead of a random one. Unset, every
``pause_at`` is a no-op."""

from __future__ import annotations

import os
import sys
import time

ENV = "ATOLL_PAUSE_AT"


def pause_at(point: str) -> None:
    if os.environ.get(ENV) != point:
        return
    sys.stderr.write(f"atoll: paused at {point}\n")
    sys.stderr.flush()
    while True:  # until killed
        time.sleep(3600)
