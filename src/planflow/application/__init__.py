"""The application layer: commands on tasks and plans, read models, queries."""
