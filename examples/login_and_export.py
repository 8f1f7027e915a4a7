"""Log in once, keep the token, and export a week of 15-minute readings to CSV.

    pip install 'inexogy[tables]'
    INEXOGY_EMAIL=you@example.com python examples/login_and_export.py [METER] [FILE]

The password comes from $INEXOGY_PASSWORD, else a prompt. METER is a meterId or a serial
number (default: the account's first meter); FILE defaults to week.csv. The token is kept
where `inexogy login` keeps it ($INEXOGY_TOKEN_FILE, else the user's config directory), so a
second run needs no password. $INEXOGY_BASE_URL points it at the simulator.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from getpass import getpass

from inexogy import Inexogy, NotLoggedInError, TokenStore


def open_client() -> Inexogy:
    """Use the stored token; log in (and store a new one) when there is none."""
    try:
        return Inexogy.from_token_store()
    except NotLoggedInError:
        email = os.environ.get("INEXOGY_EMAIL") or input("Email: ")
        password = os.environ.get("INEXOGY_PASSWORD") or getpass()
        return Inexogy.login(email, password, store=TokenStore())


def main() -> None:
    """Export the last seven whole days of the chosen meter."""
    with open_client() as api:
        meter = api.find_meter(sys.argv[1]) if len(sys.argv) > 1 else api.meters()[0]
        today = date.today()
        week = api.readings(meter, today - timedelta(days=7), today, resolution="fifteen_minutes")
        print(week)  # Readings(meter_id=..., resolution='fifteen_minutes', rows=672, ...)
        written = week.write(sys.argv[2] if len(sys.argv) > 2 else "week.csv", units="si")
        print(f"{len(week)} readings of {meter.full_serial_number} written to {written}")


if __name__ == "__main__":
    main()
