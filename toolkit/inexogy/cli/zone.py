"""``--tz``: the zone the command reads and shows times in, accepted before or after the command.

``inexogy --tz UTC readings ...`` and ``inexogy readings ... --tz UTC`` mean the same: the group
moves a ``--tz`` given after the command name to the front before parsing, so every command
(present and future) has it without declaring it, and the zone is known before any WHEN
option is read.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

import typer

from inexogy.zones import zone_from_name

from .failures import ReportingGroup

__all__ = ["ZoneHoistingGroup", "hoist_zone", "zone_option"]

_OPTION = "--tz"


def zone_option(text: str) -> tzinfo:
    """Parse ``--tz``: an IANA zone name or UTC; anything else is a usage error."""
    try:
        return zone_from_name(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def hoist_zone(args: list[str], commands: set[str]) -> list[str]:
    """Return ``args`` with a ``--tz`` found after the command name moved before it."""
    position = next((i for i, arg in enumerate(args) if arg in commands), None)
    if position is None:
        return args
    before, after = args[: position + 1], args[position + 1 :]
    moved: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(after):
        arg = after[index]
        if arg == "--":
            rest += after[index:]
            break
        if arg == _OPTION and index + 1 < len(after):
            moved += after[index : index + 2]
            index += 2
            continue
        if arg.startswith(_OPTION + "="):
            moved.append(arg)
        else:
            rest.append(arg)
        index += 1
    return moved + before + rest


class ZoneHoistingGroup(ReportingGroup):
    """The ``inexogy`` group: ``--tz`` may follow the command name as well as precede it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Move a trailing ``--tz`` to the group's options, then parse as usual."""
        return super().parse_args(ctx, hoist_zone(list(args), set(self.commands)))
