"""Workflow files: a plan written as YAML, validated, and expanded into tasks."""
