"""Optional dependencies: import them when a feature needs them, or say which extra to install.

``pip install inexogy`` brings the client, the auth plugin and the library's calls; tables,
charts, the command and the simulator come with extras (``inexogy[tables]``, ``inexogy[cli]``,
``inexogy[mock]``, ``inexogy[pandas]``, ``inexogy[all]``). A module that needs one of them
imports it through :func:`require` inside the function that uses it, so that ``import
inexogy`` stays light and a missing package gives one line naming the extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(ImportError):
    """A feature needs a package that is not installed; the message names the extra."""

    def __init__(self, module: str, extra: str, feature: str | None = None) -> None:
        what = f"{feature} needs" if feature else "this needs"
        super().__init__(
            f"{what} {module.split('.')[0]}, which is not installed: "
            f"pip install 'inexogy[{extra}]'",
            name=module,
        )
        self.extra = extra


def require(module: str, extra: str, feature: str | None = None) -> ModuleType:
    """Return the imported ``module``; raise ``MissingExtraError`` naming ``extra`` if absent.

    ``feature`` says what needs it, for the message (e.g. ``"Parquet export"``).
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or module.split(".")[0] != error.name.split(".")[0]:
            raise
        raise MissingExtraError(module, extra, feature) from error
