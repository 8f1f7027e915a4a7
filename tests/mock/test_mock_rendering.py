"""The simulator's numpy JSON rendering writes exactly what orjson writes for the same list."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from inexogy_mock.rendering import readings_json

LIMIT = 10**18  # beyond every reading value (energy counters stay below 10^17)
integers = st.integers(-LIMIT, LIMIT)


def _expected(times: list[int], columns: dict[str, list[int]]) -> bytes:
    return orjson.dumps(
        [
            {"time": time, "values": {name: values[i] for name, values in columns.items()}}
            for i, time in enumerate(times)
        ]
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    data=st.integers(0, 40).flatmap(
        lambda rows: st.tuples(
            st.lists(st.integers(0, LIMIT), min_size=rows, max_size=rows),
            st.dictionaries(
                st.sampled_from(["energy", "power", "power1", "voltage1", "Kühlschrank-1"]),
                st.one_of(
                    st.lists(integers, min_size=rows, max_size=rows),
                    st.lists(st.sampled_from([0, 7, -7]), min_size=rows, max_size=rows),
                    st.lists(st.integers(10_000, 99_999), min_size=rows, max_size=rows),
                ),
                max_size=5,
            ),
        )
    )
)
def test_rendering_equals_orjson(data: tuple[list[int], dict[str, list[int]]]) -> None:
    times, columns = data
    arrays = {name: np.array(values, dtype=np.int64) for name, values in columns.items()}
    rendered = readings_json(np.array(times, dtype=np.int64), arrays)
    assert rendered == _expected(times, columns)


def test_rendering_across_row_blocks() -> None:
    rows = 20_000  # more than one block of rows
    rng = np.random.default_rng(7)
    times = 1_718_452_800_439 + 1_000 * np.arange(rows, dtype=np.int64)
    columns = {
        "energy": 10**14 + np.cumsum(rng.integers(0, 10**6, rows)),
        "energy1": np.zeros(rows, dtype=np.int64),
        "power": rng.integers(-(10**7), 10**7, rows) // 10 * 10,
        "voltage1": rng.integers(2_260, 2_341, rows) * 100,
    }
    expected = _expected(times.tolist(), {k: v.tolist() for k, v in columns.items()})
    assert readings_json(times, columns) == expected
