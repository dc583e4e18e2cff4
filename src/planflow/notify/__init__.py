"""Delivering what the scheduler recorded: an outbox that follows the event log, and its channels
(e-mail over SMTP, a signed webhook, iCalendar feeds), plus chase-up letters. See docs/scheduler.md.
"""
