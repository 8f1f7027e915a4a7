"""A local archive of readings kept current: ``inexogy sync``, ``Inexogy.sync``, ``read_archive``.

The archive is a Parquet dataset laid out hive-style, which polars, DuckDB, pyarrow/pandas and
Spark read as one table::

    DIR/meter=<meterId>/resolution=<resolution>/<period>.parquet

one file per UTC calendar day for raw readings, per UTC calendar month for 3-minute, 15-minute
and hourly readings, per UTC calendar year for daily readings. A sync fetches only the periods
whose file is missing or not final (see :mod:`inexogy.archive.store`), writes each file
atomically as soon as its period has arrived, and holds a lock on the folder (see
:mod:`inexogy.archive.lock`) so that two syncs never write to one archive at once.
"""

from .errors import ArchiveBusyError, ArchiveError
from .layout import ARCHIVE_RESOLUTIONS, Period
from .plan import SyncedPeriod
from .read import read_archive
from .sync import SyncSummary

__all__ = [
    "ARCHIVE_RESOLUTIONS",
    "ArchiveBusyError",
    "ArchiveError",
    "Period",
    "SyncSummary",
    "SyncedPeriod",
    "read_archive",
]
