"""Timing several things against each other: interleaved rounds, so drift in a noisy machine hits each alike."""

import statistics
import time
from collections.abc import Callable


def interleaved_medians(calls: list[Callable[[], object]], rounds: int, warm_up: int = 1) -> list[float]:
    """Median seconds of each call over `rounds` rounds that run them in turn, after `warm_up` uncounted rounds."""
    timings: list[list[float]] = [[] for _ in calls]
    for round_number in range(warm_up + rounds):
        for call, samples in zip(calls, timings, strict=True):
            started = time.perf_counter()
            call()
            if round_number >= warm_up:
                samples.append(time.perf_counter() - started)
    return [statistics.median(samples) for samples in timings]
