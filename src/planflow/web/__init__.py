"""The web entry point: a JSON API under /api/v1 and server-rendered pages (FastAPI + Jinja2)."""
