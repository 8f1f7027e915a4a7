"""Run the command line as ``python -m inexogy.cli``."""

from inexogy.cli import main

main()
