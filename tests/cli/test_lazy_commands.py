"""The commands are imported and built when used, and ``--help`` lists them as typer would."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from inexogy.cli import app
from inexogy.cli.app import COMMANDS
from inexogy.cli.lazy import LazyCommand
from typer.testing import CliRunner

COMMAND_MODULES = {f"inexogy.cli{command.module}" for command in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_each_listed_summary_is_the_first_paragraph_of_the_commands_docstring(
    command: LazyCommand,
) -> None:
    function = command.build("inexogy.cli").callback
    docstring = inspect.getdoc(function) or ""
    first_paragraph = " ".join(docstring.split("\n\n")[0].split())
    assert command.summary == first_paragraph


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_lists_the_commands_as_when_every_command_is_built(width: int) -> None:
    group = typer.main.get_command(app)
    context = group.make_context("inexogy", ["--help"], resilient_parsing=True)
    context.terminal_width = width
    lazy_help = group.get_help(context)

    for name in group.list_commands(context):
        group.get_command(context, name)  # built from the function, its docstring included
    built_help = group.get_help(context)

    assert lazy_help == built_help
    assert all(f"  {command.name} " in lazy_help for command in COMMANDS)


def _modules_after(args: list[str], tmp_path: Path) -> set[str]:
    """The command modules loaded in a fresh interpreter after running ``inexogy ARGS``."""
    script = (
        "import sys\nfrom typer.testing import CliRunner\nfrom inexogy.cli import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print('\\n'.join(sys.modules))"
    )
    env = {"INEXOGY_TOKEN_FILE": str(tmp_path / "token.json"), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split()) & COMMAND_MODULES


def test_help_imports_no_command(tmp_path: Path) -> None:
    assert _modules_after(["--help"], tmp_path) == set()


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    assert _modules_after(["logout"], tmp_path) == {"inexogy.cli.account"}


def test_an_unknown_command_is_refused_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["meter"])

    assert result.exit_code == 2
    assert "No such command 'meter'. Did you mean 'meters'" in result.stderr


def test_the_command_leaves_its_objects_to_the_system_at_exit() -> None:
    script = (  # the console script's main(); say on stderr whether the objects were frozen
        "import atexit, gc, sys\nfrom inexogy.cli import main\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['inexogy', '--version']\nmain()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("inexogy ")
    assert result.stderr == "True\n"
