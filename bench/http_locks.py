"""How long a command holds the event table's lock, in process and in the server
(bench/bench_http.py ``--lock-stats``).

Not a test. On PostgreSQL every command takes ``LOCK TABLE … IN EXCLUSIVE MODE`` before it
inserts its event (so notification ids follow commit order) and holds it to its commit: commands
from any number of clients and workers pass that point one at a time, so the HTTP rate can not
exceed 1 / (the time the lock is held). This module times, per command, the wait for the lock,
the time from holding it to the end of the transaction (commit included), and the whole
command, by wrapping ``ChainedApplicationRecorder._lock_table`` (or, where one command's lock
and event insert go in one pipeline, ``_insert_one_pipelined``: then the wait includes that round
trip) and ``PlanflowApp._run_once``:
in this process (``installed``), and in a server through a ``sitecustomize`` written into the
run's folder (``server_environment``), whose workers append one line per command to a file each.
It measures, it changes nothing the command does (a few microseconds per command).
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOOK = """
import os, threading, time

def _install(folder, every=20):
    from planflow.adapters import chained_store
    from planflow.application import app as application

    local = threading.local()
    lines = []
    guard = threading.Lock()
    lock_table = chained_store.ChainedApplicationRecorder._lock_table
    pipelined = getattr(chained_store.ChainedApplicationRecorder, "_insert_one_pipelined", None)
    run_once = application.PlanflowApp._run_once

    def timed_lock(self, session):
        asked = time.perf_counter()
        lock_table(self, session)
        local.asked, local.held = asked, time.perf_counter()

    def timed_pipeline(self, *args, **kwargs):
        # One round trip takes the lock and inserts the event: the wait counts it all, and the
        # lock is held from its return (so "held" is short by the insert's share of it).
        asked = time.perf_counter()
        found = pipelined(self, *args, **kwargs)
        local.asked, local.held = asked, time.perf_counter()
        return found

    def timed_run(self, *args, **kwargs):
        local.held = None
        started = time.perf_counter()
        try:
            return run_once(self, *args, **kwargs)
        finally:
            ended = time.perf_counter()
            if local.held is not None:
                line = f"{local.held - local.asked:.6f} {ended - local.held:.6f} {ended - started:.6f}\\n"
                with guard:
                    lines.append(line)
                    if len(lines) >= every:
                        with open(os.path.join(folder, f"{os.getpid()}.txt"), "a") as sink:
                            sink.writelines(lines)
                        lines.clear()

    chained_store.ChainedApplicationRecorder._lock_table = timed_lock
    if pipelined is not None:
        chained_store.ChainedApplicationRecorder._insert_one_pipelined = timed_pipeline
    application.PlanflowApp._run_once = timed_run
    return lines

if os.environ.get("BENCH_LOCK_DIR"):
    _install(os.environ["BENCH_LOCK_DIR"])
"""


@contextmanager
def server_environment(folder: Path) -> Iterator[Path]:
    """Servers started inside time their commands' lock into files in the folder yielded."""
    hook, out = folder / "lock-hook", folder / "lock-times"
    hook.mkdir(exist_ok=True)
    out.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(HOOK)
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(hook), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    os.environ["BENCH_LOCK_DIR"] = str(out)
    try:
        yield out
    finally:
        os.environ.clear()
        os.environ.update(saved)


def take(folder: Path) -> list[tuple[float, float, float]]:
    """The (wait, held, whole) seconds the servers wrote so far, and the files emptied."""
    found = []
    for path in sorted(folder.glob("*.txt")):
        found += parse(path.read_text().splitlines())
        path.unlink()
    return found


@contextmanager
def installed() -> Iterator[list[str]]:
    """The same timing in this process (the in-process commands): yields the list its lines go
    to (never written to a file here), to read with ``parse`` and clear."""
    namespace: dict[str, object] = {}
    from planflow.adapters import chained_store
    from planflow.application import app as application

    recorder = chained_store.ChainedApplicationRecorder
    saved = (
        recorder._lock_table,
        application.PlanflowApp._run_once,
        getattr(recorder, "_insert_one_pipelined", None),
    )
    exec(HOOK.replace('if os.environ.get("BENCH_LOCK_DIR"):', "if False:"), namespace)
    lines = namespace["_install"]("", 10**12)  # type: ignore[operator]
    try:
        yield lines  # type: ignore[misc]
    finally:
        chained_store.ChainedApplicationRecorder._lock_table = saved[0]  # type: ignore[method-assign]
        application.PlanflowApp._run_once = saved[1]  # type: ignore[method-assign]
        if saved[2] is not None:
            recorder._insert_one_pipelined = saved[2]  # type: ignore[method-assign]


def parse(lines: list[str]) -> list[tuple[float, float, float]]:
    found = []
    for line in lines:
        wait, held, whole = (float(x) for x in line.split())
        found.append((wait, held, whole))
    return found


def summary(times: list[tuple[float, float, float]]) -> dict[str, float]:
    """Medians in milliseconds: waiting for the lock, holding it, the whole command."""
    if not times:
        return {}
    return {
        "lock_wait_ms": statistics.median(t[0] for t in times) * 1000,
        "lock_held_ms": statistics.median(t[1] for t in times) * 1000,
        "command_ms": statistics.median(t[2] for t in times) * 1000,
    }
