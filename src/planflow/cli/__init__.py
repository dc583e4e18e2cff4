"""The command line: ``planflow``."""
