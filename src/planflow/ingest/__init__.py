"""Reading plans (kế hoạch) from their own documents into draft workflow files (docs/ingestion.md)."""
