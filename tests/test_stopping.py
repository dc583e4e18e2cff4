"""The stop signal of ``planflow run``: a handler that can never wait on a lock (cli/stopping.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from planflow.cli.stopping import stop_on_signals

# Many stops in a row, each signalled from another thread at a random moment, while the main
# thread polls as fast as it can and a third thread keeps the interpreter switching: the moments
# where a lock-taking handler deadlocks are then hit at once. The same script with a
# threading.Event in place of StopRequest hung in each of 3 tries; this one takes about 2 s.
STRESS = textwrap.dedent(
    """
    import os, random, signal, sys, threading, time
    sys.setswitchinterval(0.0005)
    from planflow.cli.stopping import stop_on_signals

    busy = True
    def spin():
        while busy:
            sum(range(200))
    threading.Thread(target=spin, daemon=True).start()

    for _ in range(600):
        with stop_on_signals((signal.SIGUSR1,)) as stop:
            def kill():
                time.sleep(random.random() * 0.002)
                os.kill(os.getpid(), signal.SIGUSR1)
            killer = threading.Thread(target=kill)
            killer.start()
            stop.wait(0)
            killer.join()
    busy = False
    print("stopped 600 times")
    """
)


def test_a_signal_at_any_moment_stops_the_wait() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STRESS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "stopped 600 times" in done.stdout


def test_a_signal_sets_the_request_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGUSR1)
    with stop_on_signals((signal.SIGUSR1,)) as stop:
        assert not stop.requested
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        started = time.monotonic()
        stop.wait(0.01)
        assert stop.requested
        assert time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGUSR1) is before
