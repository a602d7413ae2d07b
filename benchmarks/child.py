"""A `manage.py` command run in a child process, as an operator runs it: its wall time and peak memory.

Peak memory is the children's largest resident size so far (RUSAGE_CHILDREN), so a benchmark that
compares runs of different sizes runs the small one first.
"""

import os
import resource
import subprocess
import sys
import time

from django.conf import settings


def run_manage(*arguments: str) -> tuple[float, int, str]:
    """Run `manage.py ARGUMENTS`: wall seconds, the children's peak RSS in KiB, its output; raises if it fails."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *arguments],
        capture_output=True,
        text=True,
        env=os.environ,
        cwd=settings.BASE_DIR,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode:
        raise RuntimeError(f"{arguments[0]} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.stdout
