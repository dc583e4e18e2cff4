"""The pure domain: tasks and their events, periods, working days, statuses. No I/O here."""
