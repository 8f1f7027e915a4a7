"""``LivePoller`` against the simulator: last good values, counted attempts, backoff, stopping."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import attrs
import pytest
from inexogy import Inexogy, LivePoller, NotFoundError, RetryPolicy, ServerError
from inexogy.live import OUTCOMES, outcome_of
from inexogy.metrics import SnapshotCollector
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_ACCOUNT, Account, FaultPlan, MeterSpec, create_app, running
from toolkit_testkit import NOW, SOLAR_SERIAL, FakeTime, demo_client

MODERN_SERIAL = "1EBZ1100412873"


class FaultSwitch(FaultPlan):
    """A fault plan the test turns: every data request gets ``kind`` until it changes."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = "ok"
        self.asked = threading.Event()

    def next_fault(self) -> str:
        self.asked.set()
        return self.kind


# A second account whose gas meter never sent a reading (the service answers 400).
NEVER_SENT = Account(
    "a@example.com",
    "pw",
    [MeterSpec("solar", "61229886"), MeterSpec("gas", "80000001", first_measurement_ms=None)],
)


@pytest.fixture(scope="module")
def shared_switch() -> FaultSwitch:
    return FaultSwitch()


@pytest.fixture(scope="module")
def live_url(shared_switch: FaultSwitch) -> Iterator[str]:
    """One simulator for the module (its clock stands still), with a fault switch."""
    app = create_app(accounts=[DEMO_ACCOUNT, NEVER_SENT], faults=shared_switch, clock=NOW.timestamp)
    with running(app) as url:
        yield url


@pytest.fixture
def switch(shared_switch: FaultSwitch) -> Iterator[FaultSwitch]:
    shared_switch.kind = "ok"
    yield shared_switch
    shared_switch.kind = "ok"


@pytest.fixture
def api(live_url: str, switch: FaultSwitch) -> Iterator[Inexogy]:
    with demo_client(live_url, FakeTime(), retry=None) as client:
        yield client


def counts(poller: LivePoller) -> dict[str, int]:
    return {k: v for k, v in poller.snapshot.requests.items() if v}


def test_a_failed_poll_keeps_the_last_good_reading(api: Inexogy, switch: FaultSwitch) -> None:
    poller = LivePoller(api)
    meters = poller.select([SOLAR_SERIAL, MODERN_SERIAL])
    assert [m.full_serial_number for m in meters] == [SOLAR_SERIAL, MODERN_SERIAL]
    first = poller.poll()
    assert first.ok
    assert first.polls == 1
    good = {state.meter_id: state.reading for state in first.meters}
    assert first.state(meters[1].meter_id).meter is meters[1]
    with pytest.raises(KeyError):
        first.state("no-such-meter")
    assert all(state.fresh and state.up for state in first.meters)

    switch.kind = "500"
    failed = poller.poll()
    assert not failed.ok
    for state in failed.meters:
        assert state.reading is good[state.meter_id]
        assert isinstance(state.error, ServerError)
        assert (state.fresh, state.up, state.failures) == (False, False, 1)
    assert counts(poller) == {"ok": 3, "server_error": 2}  # meters + 2 readings, then 2 failures

    switch.kind = "ok"
    healed = poller.poll()
    assert healed.ok
    assert all(state.error is None and state.failures == 0 for state in healed.meters)


def test_an_unchanged_reading_is_not_taken_as_new(api: Inexogy) -> None:
    # The simulator's clock stands still: the service answers the same reading again.
    poller = LivePoller(api)
    poller.select([SOLAR_SERIAL])
    before = poller.poll().meters[0]
    again = poller.poll().meters[0]
    assert before.fresh
    assert not again.fresh
    assert again.reading is before.reading
    assert again.reading is not None
    assert again.reading.values == api.last_reading(again.meter_id).values


def test_every_attempt_is_counted_by_outcome(api: Inexogy, switch: FaultSwitch) -> None:
    poller = LivePoller(api, retry=RetryPolicy(max_attempts=2, base_delay=0))
    poller.select([SOLAR_SERIAL])
    for kind, outcome in [
        ("503", "server_error"),
        ("429", "rate_limited"),
        ("drop", "network_error"),
        ("empty", "invalid_response"),
    ]:
        switch.kind = kind
        assert not poller.poll().ok
        assert counts(poller)[outcome] == 2  # the attempt and its retry
    assert set(poller.snapshot.requests) == set(OUTCOMES)


def test_next_delay_waits_out_retry_after_and_backs_off(api: Inexogy, switch: FaultSwitch) -> None:
    poller = LivePoller(api)
    poller.select([SOLAR_SERIAL])
    poller.poll()
    assert poller.next_delay(1.0) == 1.0
    switch.kind = "429:7"
    poller.poll()
    assert poller.next_delay(1.0) == 7.0
    assert poller.next_delay(10.0) == 10.0
    switch.kind = "500"
    for failed_polls in (2, 3, 4):
        poller.poll()
        delay = poller.next_delay(1.0)
        assert 1.0 <= delay <= 2.0 ** (failed_polls - 1)


def test_a_meter_that_cannot_answer_does_not_slow_the_others(live_url: str) -> None:
    with Inexogy(auth=BasicAuth("a@example.com", "pw"), base_url=live_url, retry=None) as client:
        poller = LivePoller(client)
        poller.select()
        snapshot = poller.poll()
    solar, gas = snapshot.meters
    assert solar.up
    assert gas.reading is None
    assert gas.error is not None
    assert outcome_of(gas.error) == "bad_request"
    assert poller.next_delay(3.0) == 3.0


def test_select_refuses_an_unknown_meter_and_keeps_each_meter_once(api: Inexogy) -> None:
    poller = LivePoller(api)
    with pytest.raises(NotFoundError, match="no meter '123'"):
        poller.select(["123"])
    assert len(poller.select(["61229886", SOLAR_SERIAL])) == 1
    assert len(poller.select()) == 5


def test_stop_cuts_a_retry_after_wait_short(api: Inexogy, switch: FaultSwitch) -> None:
    poller = LivePoller(api, retry=RetryPolicy(max_attempts=3, max_total=600))
    poller.select([SOLAR_SERIAL])
    switch.kind = "429:300"
    switch.asked.clear()
    polled = threading.Event()
    thread = poller.start(0.1, lambda _snapshot: polled.set())
    assert switch.asked.wait(5)  # the 429 was sent; the poller now waits out its Retry-After
    assert poller.stop(timeout=5)
    assert not thread.is_alive()
    assert not polled.is_set()  # the poll was cut short inside its Retry-After wait
    assert poller.stopped


def totals(collector: SnapshotCollector) -> dict[str, float]:
    """The meter-wide samples (no phase, no tariff) of one collection, by name."""
    return {
        sample.name: sample.value
        for family in collector.collect()
        for sample in family.samples
        if sample.labels.get("meter_id") and not {"phase", "tariff"} & set(sample.labels)
    }


def test_the_collector_answers_from_memory_and_rides_out_a_zero_register(
    api: Inexogy, switch: FaultSwitch
) -> None:
    poller = LivePoller(api)
    poller.select([SOLAR_SERIAL])
    polled = poller.poll()
    state = polled.meters[0]
    assert state.reading is not None
    served = [polled]
    collector = SnapshotCollector(lambda: served[-1])

    switch.asked.clear()
    first = totals(collector)
    assert not switch.asked.is_set()  # no request on the scrape path
    si = state.reading.si_values()
    assert first["inexogy_energy_drawn_kwh_total"] == si["energy_kWh"]
    assert first["inexogy_power_watts"] == si["power_W"]

    glitch = attrs.evolve(
        state.reading,
        time_ms=state.reading.time_ms + 1000,
        values={**state.reading.values, "energy": 0, "power": 1_500},
    )
    served.append(attrs.evolve(polled, meters=(attrs.evolve(state, reading=glitch),)))
    after = totals(collector)
    assert after["inexogy_energy_drawn_kwh_total"] == si["energy_kWh"]  # not a counter reset
    assert after["inexogy_power_watts"] == 1.5
    assert after["inexogy_reading_timestamp_seconds"] == glitch.time_ms / 1000


def test_an_unexpected_error_is_recorded_and_polling_goes_on(
    api: Inexogy, monkeypatch: pytest.MonkeyPatch
) -> None:
    poller = LivePoller(api)
    poller.select([SOLAR_SERIAL])
    good = poller.poll().meters[0].reading

    def broken(meter_id: str, *, fields: object = None) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(api, "last_reading", broken)
    failed = poller.poll()
    assert not failed.ok
    assert failed.meters[0].reading is good
    assert "unexpected KeyError" in str(failed.meters[0].error)
    assert failed.requests["error"] == 1
    monkeypatch.undo()
    assert poller.poll().ok
