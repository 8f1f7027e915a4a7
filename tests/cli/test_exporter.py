"""``inexogy exporter`` as a real process against the simulator, scraped over loopback."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_testkit import OWNER_EMAIL, OWNER_PASSWORD, Cli, password_forms, said
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, Account, create_app, demo_meters, running
from live_testkit import ExporterProcess, FaultSwitch, Samples, command_env, named, value

FROZEN = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)
"""The simulator's "now" when the readings must stay the same between two requests."""

# The oracle: which metric each SI field of `last-reading --units si` becomes.
PHASES = ("1", "2", "3")
ORACLE: dict[str, tuple[str, dict[str, str]]] = {
    "power_W": ("inexogy_power_watts", {}),
    **{f"power{p}_W": ("inexogy_power_watts", {"phase": p}) for p in PHASES},
    **{f"phase{p}Power_W": ("inexogy_power_watts", {"phase": p}) for p in PHASES},
    **{f"voltage{p}_V": ("inexogy_voltage_volts", {"phase": p}) for p in PHASES},
    **{f"phase{p}Voltage_V": ("inexogy_voltage_volts", {"phase": p}) for p in PHASES},
    "energy_kWh": ("inexogy_energy_drawn_kwh_total", {}),
    **{f"energy{t}_kWh": ("inexogy_energy_drawn_kwh_total", {"tariff": t}) for t in "12"},
    "energyOut_kWh": ("inexogy_energy_fed_in_kwh_total", {}),
    **{f"energyOut{t}_kWh": ("inexogy_energy_fed_in_kwh_total", {"tariff": t}) for t in "12"},
    "volume_m³": ("inexogy_gas_volume_m3_total", {}),
}
NOT_EXPORTED = {"actualityDuration", "storageNumber"}  # gas meter bookkeeping, no unit
VALUE_METRICS = {name for name, _ in ORACLE.values()}


@pytest.fixture(scope="module")
def switch() -> FaultSwitch:
    return FaultSwitch()


@pytest.fixture(scope="module")
def frozen_url(switch: FaultSwitch) -> Iterator[str]:
    """A simulator whose clock stands still (same last reading every time), fault switch on."""
    with running(create_app(clock=FROZEN.timestamp, faults=switch)) as url:
        yield url


@pytest.fixture(scope="module")
def frozen_token(frozen_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("frozen") / "token.json"
    Cli(frozen_url, path).login()
    return path


@pytest.fixture
def token_file(frozen_token: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(frozen_token, tmp_path / "token.json"))


def up(samples: Samples) -> float | None:
    return value(samples, "inexogy_up")


def requests(samples: Samples, outcome: str) -> float:
    found = value(samples, "inexogy_requests_total", outcome=outcome)
    assert found is not None
    return found


def meter_values(samples: Samples) -> Samples:
    return {key: found for key, found in samples.items() if key[0] in VALUE_METRICS}


def test_every_value_equals_last_reading_si_and_sigterm_stops_it(
    frozen_url: str, token_file: Path
) -> None:
    with ExporterProcess(["--interval", "0.2"], command_env(frozen_url, token_file)) as exporter:
        samples = exporter.eventually(lambda s: up(s) == 1.0)
        cli = Cli(frozen_url, token_file)
        meters = json.loads(cli("meters", "--format", "json").stdout)
        expected: Samples = {}
        for meter in meters:
            answer = cli("last-reading", meter["meterId"], "--units", "si", "--format", "json")
            reading = json.loads(answer.stdout)
            labels = {
                "meter_id": meter["meterId"],
                "serial": meter["fullSerialNumber"],
                "type": meter["type"],
            }
            for field, number in reading["values"].items():
                if field in NOT_EXPORTED:
                    continue
                name, extra = ORACLE[field]
                expected[(name, frozenset({**labels, **extra}.items()))] = number
            taken = datetime.fromisoformat(reading["time"]).timestamp()
            assert value(samples, "inexogy_reading_timestamp_seconds", **labels) == taken
            age = value(samples, "inexogy_reading_age_seconds", **labels)
            assert age is not None
            assert 0 < age <= reading["ageSeconds"]  # the scrape came first
            assert value(samples, "inexogy_meter_up", **labels) == 1.0
        assert meter_values(samples) == expected
        assert {name for name, _ in expected} == VALUE_METRICS  # the demo has every kind
        assert requests(samples, "ok") >= 1 + len(meters)
        assert value(samples, "inexogy_poll_duration_seconds") is not None

        assert exporter.stop(signal.SIGTERM, within=1.0) == 0
    assert "inexogy exporter: stopped" in "".join(exporter.stderr)


def test_faults_never_fail_a_scrape_and_are_told_by_up_and_the_counters(
    frozen_url: str, token_file: Path, switch: FaultSwitch
) -> None:
    env = command_env(frozen_url, token_file)
    args = ["--interval", "0.2", "--meter", "61229886", "--meter", "1EBZ1100412873"]
    try:
        with ExporterProcess(args, env, global_args=["--retries", "0"]) as exporter:
            good = meter_values(exporter.eventually(lambda s: up(s) == 1.0))
            assert len({labels for _, labels in good}) > 2  # two meters, phases, ...
            for fault, outcome in [
                ("500", "server_error"),
                ("429:1", "rate_limited"),
                ("drop", "network_error"),
            ]:
                switch.kind = fault
                failing = exporter.eventually(
                    lambda s, outcome=outcome: up(s) == 0.0 and requests(s, outcome) > 0
                )
                assert meter_values(failing) == good  # the last good values are still served
                assert set(named(failing, "inexogy_meter_up").values()) == {0.0}
                switch.kind = "ok"
                exporter.eventually(lambda s: up(s) == 1.0)
            assert exporter.stop(signal.SIGINT) == 0
    finally:
        switch.kind = "ok"
    log = "".join(exporter.stderr)
    assert "500 Internal Server Error" in log
    assert "answering again" in log


@pytest.fixture(scope="module")
def expiring_url() -> Iterator[str]:
    """A simulator whose access tokens expire after three data requests (an unusual password)."""
    account = Account(OWNER_EMAIL, OWNER_PASSWORD, meters=demo_meters())
    with running(create_app(accounts=[account], token_lifetime_requests=3)) as url:
        yield url


@pytest.fixture
def expiring_token(expiring_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "token.json"
    login = Cli(expiring_url, path)(
        "login", "--email", OWNER_EMAIL, env={"INEXOGY_PASSWORD": OWNER_PASSWORD}
    )
    assert login.exit_code == 0, login.stderr
    return path


def test_an_expired_token_is_renewed_from_the_environment(
    expiring_url: str, expiring_token: Path
) -> None:
    before = expiring_token.read_text()
    env = command_env(
        expiring_url,
        expiring_token,
        {"INEXOGY_EMAIL": OWNER_EMAIL, "INEXOGY_PASSWORD": OWNER_PASSWORD},
    )
    args = ["--interval", "0.2", "--meter", "61229886"]
    with ExporterProcess(args, env, global_args=["-v"]) as exporter:
        # The meters, then one request a poll: the token expires in the third poll.
        samples = exporter.eventually(
            lambda s: (value(s, "inexogy_polls_total") or 0) >= 4 and up(s) == 1.0
        )
        assert requests(samples, "token_expired") == 0
        assert exporter.stop() == 0
    assert expiring_token.read_text() != before  # the renewed token was saved
    log = "".join(exporter.stderr)
    assert "will not be renewed" not in log
    assert "oauth1/access_token" in log  # -v logged the renewal's requests...
    for form in password_forms(OWNER_PASSWORD):
        assert form not in log  # ...and never the password


def test_without_a_password_an_expired_token_is_reported_not_fatal(
    expiring_url: str, expiring_token: Path
) -> None:
    env = command_env(expiring_url, expiring_token)
    with ExporterProcess(["--interval", "0.2", "--meter", "61229886"], env) as exporter:
        samples = exporter.eventually(lambda s: up(s) == 0.0 and requests(s, "token_expired") > 0)
        assert requests(samples, "ok") > 0  # the values read before the token expired
        assert meter_values(samples)
        assert exporter.stop(signal.SIGINT) == 0
    log = "".join(exporter.stderr)
    assert "set INEXOGY_EMAIL and INEXOGY_PASSWORD" in log


def test_usage_errors_come_before_any_request(logged_in: Cli) -> None:
    bad_listen = logged_in("exporter", "--listen", "localhost")
    assert bad_listen.exit_code == 2
    assert "is not HOST:PORT" in said(bad_listen.stderr)

    real = logged_in("exporter", "--interval", "1", env={"INEXOGY_BASE_URL": None})
    assert real.exit_code == 2
    assert "give --interval 5 or more" in said(real.stderr)

    unknown = logged_in("exporter", "--meter", "12345", "--listen", "127.0.0.1:0")
    assert unknown.exit_code == 1
    assert "no meter '12345'" in unknown.stderr


def test_a_busy_port_is_a_clear_error(cli: Cli) -> None:
    # --auth basic with the password from the environment: no token file needed.
    env = {"INEXOGY_EMAIL": DEMO_EMAIL, "INEXOGY_PASSWORD": DEMO_PASSWORD}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("--auth", "basic", "exporter", "--listen", f"127.0.0.1:{port}", env=env)
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert not cli.token_file.exists()


def test_without_prometheus_client_it_names_the_extra(
    logged_in: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import fails: not installed
    result = logged_in("exporter")
    assert result.exit_code == 1
    assert result.stderr == (
        "inexogy: error: inexogy exporter needs prometheus_client, which is not installed: "
        "pip install 'inexogy[cli]'\n"
    )


def test_the_command_loads_prometheus_client_only_to_export() -> None:
    code = "import sys, inexogy.cli.app; print('prometheus_client' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "False"
