"""The archive's errors: both are ``InexogyError`` subclasses."""

from __future__ import annotations

from ..errors import InexogyError

__all__ = ["ArchiveBusyError", "ArchiveError"]


class ArchiveError(InexogyError):
    """The archive folder cannot be used or read as asked; the message says what to do."""


class ArchiveBusyError(ArchiveError):
    """Another sync is writing to the same archive folder right now; try again when it ends."""
