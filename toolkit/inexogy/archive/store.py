"""Archive files: written atomically and deterministically, each saying whether it is final.

Finality is recorded inside the file, in the Parquet footer's key-value metadata under
``inexogy.archive`` (JSON: meter, resolution, period, its span in ms, ``final``). The flag and
the readings are published together by one atomic rename, so no manifest can disagree with
the files. A file is final when the meter had already sent data from after the period's end
when it was fetched: nothing more can arrive for it, and a later sync never fetches it again.

The bytes depend only on the readings and this metadata (polars writes no timestamp), so the
same readings always give the same file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from attrs import asdict, frozen

from ..extras import require
from ..files import write_atomically
from .errors import ArchiveError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "METADATA_KEY",
    "FileFacts",
    "is_final",
    "read_facts",
    "write_period_file",
]

METADATA_KEY = "inexogy.archive"
_FORMAT_VERSION = 1
_FEATURE = "the readings archive"


@frozen
class FileFacts:
    """What an archive file says about itself, in its Parquet metadata."""

    meter: str
    resolution: str
    period: str
    start_ms: int
    end_ms: int
    final: bool


def _polars() -> Any:
    return require("polars", "tables", _FEATURE)


def write_period_file(path: Path, frame: pl.DataFrame, facts: FileFacts) -> Path:
    """Write one period's readings to ``path`` atomically, with ``facts`` in its metadata.

    Raises ``ArchiveError`` when the disk refuses (nothing is left under ``path`` then).
    """
    metadata = {METADATA_KEY: json.dumps({"version": _FORMAT_VERSION, **asdict(facts)})}
    # Encoded before the temporary file exists: polars answers Ctrl-C during a write with
    # two KeyboardInterrupts, the second of which would cut short the removal of that file.
    encoded = io.BytesIO()
    frame.write_parquet(encoded, metadata=metadata)

    def copy(stream: BinaryIO) -> None:
        stream.write(encoded.getbuffer())

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_atomically(path, copy)
    except OSError as error:
        raise ArchiveError(
            f"cannot write {path}: {error.strerror or error}; the files written so far are "
            "complete: fix the cause and run the sync again"
        ) from error


def read_facts(path: Path) -> FileFacts | None:
    """Return the facts an archive file records; ``None`` if it is unreadable or foreign."""
    pl = _polars()
    try:
        metadata = pl.read_parquet_metadata(path)
        recorded = json.loads(metadata[METADATA_KEY])
        recorded.pop("version")
        return FileFacts(**recorded)
    except (OSError, KeyError, TypeError, ValueError, pl.exceptions.PolarsError):
        return None


def is_final(path: Path, facts: FileFacts) -> bool:
    """Whether ``path`` holds the final readings of exactly the period ``facts`` describes.

    A missing, unreadable or foreign file, one of another period, and one written while its
    period was still open are all not final: the period is fetched (again).
    """
    if not path.is_file():
        return False
    recorded = read_facts(path)
    return recorded is not None and recorded.final and recorded == facts
