"""``python -m planflow`` runs the command line."""

from planflow.cli.main import main

main()
