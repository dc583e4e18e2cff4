"""Chasing tasks: the due index's rules, the tick, and the APScheduler loop around it.

See docs/scheduler.md.
"""
