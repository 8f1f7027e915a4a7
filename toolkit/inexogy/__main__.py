"""Run the ``inexogy`` command as ``python -m inexogy``."""

from inexogy.cli import main

main()
