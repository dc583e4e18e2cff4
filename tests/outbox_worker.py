"""A delivery process for tests/test_outbox_once.py: an Outbox over a real store and SMTP server,
with a slow e-mail channel so that a kill can land between a send and its record.

    python tests/outbox_worker.py DATABASE_URL SMTP_PORT EXPECTED [--delay S] [--lease S]
                                  [--per-run N]

Prints ``sent <key>`` once a mail is accepted by the server (then sleeps ``--delay`` seconds
before the outbox records it), and ``done <n>`` with the number it delivered when the store holds
EXPECTED deliveries.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from planflow.application.app import PlanflowApp
from planflow.notify.channels import SmtpChannel
from planflow.notify.config import SmtpConfig
from planflow.notify.notices import Notice, delivery_key
from planflow.notify.outbox import Outbox


class SlowChannel:
    """The real SMTP channel, then a pause before the outbox may record the send."""

    def __init__(self, inner: SmtpChannel, delay: float) -> None:
        self.inner = inner
        self.name = inner.name
        self.delay = delay
        self.sent = 0

    def deliver(self, notice: Notice) -> str:
        note = self.inner.deliver(notice)
        self.sent += 1
        print(f"sent {delivery_key(notice.event_id, self.name)}", flush=True)
        time.sleep(self.delay)
        return note


def wall() -> datetime:
    return datetime.now(UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("port", type=int)
    parser.add_argument("expected", type=int)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--per-run", type=int, default=None)
    args = parser.parse_args()
    app = PlanflowApp(args.url)
    channel = SlowChannel(SmtpChannel(SmtpConfig("127.0.0.1", args.port)), args.delay)
    outbox = Outbox(app, [channel], lease_seconds=args.lease, clock=wall, per_run=args.per_run)
    while outbox.store.delivered_count(channel.name) < args.expected:
        [result] = outbox.run(wall())
        if result.error:
            print(f"error {result.error}", file=sys.stderr, flush=True)
        # Let the other processes have a go at the lease.
        time.sleep(0.05 if result.busy or result.delivered == 0 else 0.01)
    print(f"done {channel.sent}", flush=True)
    app.close()


if __name__ == "__main__":
    main()
