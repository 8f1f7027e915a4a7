"""Commands imported and built only when they are used: ``inexogy meters`` pays for ``meters``.

Importing a command's module and turning its function into a click command (typer reads the
signature and every annotation) cost start-up for each command of the group. Here the group's
``commands`` is a mapping that does both for one command on first access, and ``--help``
lists the commands from their summaries without importing any of them (a test checks that
each summary is the first paragraph of its command's docstring).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from importlib import import_module
from typing import Any

import typer
from attrs import frozen
from typer.core import TyperCommand, TyperGroup

__all__ = ["LazyCommand", "LazyCommands", "LazyGroup"]


@frozen
class LazyCommand:
    """A command of the group: its name, where its function lives, and its help's summary.

    ``module`` is imported relative to the group's package; ``function`` is the typer command
    function in it; ``summary`` is the first paragraph of that function's docstring.
    """

    name: str
    module: str
    function: str
    summary: str

    def build(self, package: str, markup: Any = None) -> Any:  # Any: typer's types are private
        """Import the command's module and build the command as ``app.command(name)`` would.

        ``markup`` is the group's ``rich_markup_mode``, which its commands share.
        """
        function: Callable[..., Any] = getattr(import_module(self.module, package), self.function)
        single = typer.Typer(add_completion=False, rich_markup_mode=markup)
        single.command(self.name)(function)
        return typer.main.get_command(single)


class LazyCommands(MutableMapping[str, Any]):
    """The commands of a click group by name, each imported and built on first access.

    Listing the names or checking for one imports nothing. Commands added as click commands
    (``group.add_command``) are kept as given.
    """

    def __init__(self, package: str, commands: tuple[LazyCommand, ...], markup: Any) -> None:
        self._package = package
        self._markup = markup
        self._commands: dict[str, LazyCommand | Any] = {c.name: c for c in commands}

    def __getitem__(self, name: str) -> Any:
        command = self._commands[name]
        if isinstance(command, LazyCommand):
            command = self._commands[name] = command.build(self._package, self._markup)
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def __contains__(self, name: object) -> bool:
        return name in self._commands

    def hidden(self, name: str) -> bool:
        """Whether ``name`` is left out of ``--help`` (only a built command can be)."""
        command = self._commands[name]
        return not isinstance(command, LazyCommand) and bool(command.hidden)

    def short_help(self, name: str, limit: int) -> str:
        """Return the one-line help ``--help`` lists for ``name``, building nothing."""
        command = self._commands[name]
        if isinstance(command, LazyCommand):
            command = TyperCommand(name=name, help=command.summary)
        return str(command.get_short_help_str(limit))


class LazyGroup(TyperGroup):
    """A typer group whose commands are ``lazy_commands``, imported and built when used.

    Subclasses set ``lazy_commands`` and ``lazy_package`` (the package their modules are
    relative to).
    """

    lazy_commands: tuple[LazyCommand, ...] = ()
    lazy_package: str = ""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        eager = dict(self.commands)
        self.commands = LazyCommands(self.lazy_package, self.lazy_commands, self.rich_markup_mode)
        self.commands.update(eager)

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the commands' names in the order they were given, building none."""
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands and their summaries as typer does, without importing them."""
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        names = [name for name in self.list_commands(ctx) if not commands.hidden(name)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, commands.short_help(name, limit)) for name in names])
