"""The corpus is checked with the helpers of the spec tests and of the simulator tests."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
for helpers in ("foundation", "mock"):  # foundation_helpers, mock_testkit
    if str(_TESTS / helpers) not in sys.path:
        sys.path.append(str(_TESTS / helpers))
