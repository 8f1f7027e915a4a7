"""Accounts, the demo account, and the per-server registry of every account's meters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .meters import MeterModel, MeterSpec, build_meter, meter_id, virtual_meter
from .texts import (
    INVALID_METER_ID,
    NO_VIRTUAL_PERMISSION,
    UNKNOWN_METER,
    ServiceError,
    bad_request,
)

DEMO_EMAIL = "demo@inexogy.com"
DEMO_PASSWORD = "demo"  # noqa: S105 - the public demo account of the real service
DEMO_SOLAR_SERIAL = "61229886"
_METER_ID = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class Account:
    """An account: its login, its meters and whether it may create virtual meters."""

    email: str
    password: str
    meters: Sequence[MeterSpec]
    can_create_virtual_meters: bool = False

    def __repr__(self) -> str:
        return f"Account(email={self.email!r}, meters={len(self.meters)})"


def demo_meters() -> tuple[MeterSpec, ...]:
    """Return the meters of the demo account (solar, newer, gas, RLM and a virtual meter)."""
    return (
        MeterSpec("solar", DEMO_SOLAR_SERIAL),
        MeterSpec("modern", "00412873"),
        MeterSpec("gas", "35823805"),
        MeterSpec("rlm", "10512345"),
        MeterSpec("virtual", "00000001", plus=(DEMO_SOLAR_SERIAL, "00412873")),
    )


DEMO_ACCOUNT = Account(DEMO_EMAIL, DEMO_PASSWORD, demo_meters())


class Registry:
    """Every account's meters, by meterId; accounts never see each other's meters."""

    def __init__(self, accounts: Sequence[Account]) -> None:
        self.accounts = {account.email: account for account in accounts}
        if len(self.accounts) != len(accounts):
            raise ValueError("two accounts share an email address")
        self.passwords = {account.email: account.password for account in accounts}
        self._meters: dict[str, dict[str, MeterModel]] = {}
        self._created: dict[str, int] = {}
        # bumped whenever an account's meters change (what a cache of rendered meters checks)
        self.generation = 0
        for account in accounts:
            by_serial: dict[str, MeterModel] = {}
            for spec in sorted(account.meters, key=lambda s: s.kind == "virtual"):
                if spec.serial_number in by_serial:
                    raise ValueError(f"{account.email}: serial {spec.serial_number} appears twice")
                by_serial[spec.serial_number] = build_meter(spec, account.email, by_serial)
            self._meters[account.email] = {
                by_serial[spec.serial_number].meter_id: by_serial[spec.serial_number]
                for spec in account.meters
            }

    def meters(self, email: str) -> list[MeterModel]:
        """Return the meters of an account, in configuration order."""
        return list(self._meters[email].values())

    def meter(self, email: str, identity: str) -> MeterModel:
        """Return a meter of the account, or raise the service's 400 for a malformed/unknown id.

        A meterId is 32 hex characters; anything else is ``Invalid meterId: <id>``,
        a well-formed id of no meter of the account ``Unable to find meter with meterId: <id>``.
        """
        if not _METER_ID.fullmatch(identity):
            raise bad_request(INVALID_METER_ID.format(meter_id=identity))
        found = self._meters[email].get(identity)
        if found is None:
            raise bad_request(UNKNOWN_METER.format(meter_id=identity))
        return found

    def create_virtual(self, email: str, plus: Sequence[str], minus: Sequence[str]) -> MeterModel:
        """Create a virtual meter of the account from meterIds (403 for read-only accounts)."""
        if not self.accounts[email].can_create_virtual_meters:
            raise ServiceError(403, NO_VIRTUAL_PERMISSION)
        plus_meters = [self.meter(email, identity) for identity in plus]
        minus_meters = [self.meter(email, identity) for identity in minus]
        self._created[email] = number = self._created.get(email, 0) + 1
        spec = MeterSpec(
            "virtual",
            f"{900_000_00 + number:08d}",
            plus=tuple(m.spec.serial_number for m in plus_meters),
            minus=tuple(m.spec.serial_number for m in minus_meters),
        )
        created = virtual_meter(
            spec, meter_id(email, spec.full_serial_number), plus_meters, minus_meters
        )
        if not created.fields:
            raise bad_request("The meters of a virtual meter must share at least one field")
        self._meters[email][created.meter_id] = created
        self.generation += 1
        return created
