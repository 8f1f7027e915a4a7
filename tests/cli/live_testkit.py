"""Helpers of the live-command tests: ``inexogy exporter`` as a real process, scraping it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx
from inexogy_mock import FaultPlan
from prometheus_client.parser import text_string_to_metric_families

COMMAND = Path(sys.executable).with_name("inexogy")
WAIT_S = 30.0  # the longest wait for something the exporter should do within a few polls
# (30 s, not 15: after a few failed polls the exporter backs off with random jitter, and on a
# loaded machine the scrapes that notice a fault come late, so more polls fail first)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
"""One scrape: value by (sample name, labels)."""


def command_env(
    base_url: str, token_file: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a command run: the mock and the token file, no inherited INEXOGY_*."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INEXOGY_")}
    return {
        **clean,
        "INEXOGY_BASE_URL": base_url,
        "INEXOGY_TOKEN_FILE": str(token_file),
        **(extra or {}),
    }


class FaultSwitch(FaultPlan):
    """A fault plan the test turns: every data request gets ``kind`` until it changes."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = "ok"

    def next_fault(self) -> str:
        return self.kind


def scrape(url: str) -> Samples:
    """GET /metrics (it must answer 200) and parse it with prometheus_client's parser."""
    answer = httpx.get(url, timeout=5)
    assert answer.status_code == 200, answer.text
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    """The value of the sample with exactly these labels, or ``None``."""
    return samples.get((name, frozenset(labels.items())))


def named(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    """Every sample of one name, by labels."""
    return {labels: found for (sample, labels), found in samples.items() if sample == name}


class ExporterProcess:
    """``inexogy [GLOBAL...] exporter --listen 127.0.0.1:0 ARGS`` as a real process."""

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], global_args: Sequence[str] = ()
    ) -> None:
        command = [str(COMMAND), *global_args, "exporter", "--listen", "127.0.0.1:0", *args]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env),
        )
        self.stderr: list[str] = []
        self._serving = threading.Event()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not self._serving.wait(WAIT_S):
            self.process.kill()
            self._reader.join(5)
            raise AssertionError(f"the exporter did not start: {''.join(self.stderr)}")
        found = re.search(r"serving (http://\S+/metrics)", "".join(self.stderr))
        assert found is not None
        self.url = found.group(1)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            if "serving http" in line:
                self._serving.set()
        self._serving.set()

    def scrape(self) -> Samples:
        """Scrape the exporter, which must still be running."""
        assert self.process.poll() is None, "".join(self.stderr)
        return scrape(self.url)

    def eventually(self, condition: Callable[[Samples], bool]) -> Samples:
        """Scrape until ``condition`` holds (every scrape must succeed); return that scrape."""
        deadline = time.monotonic() + WAIT_S
        samples = self.scrape()
        while not condition(samples):
            assert time.monotonic() < deadline, f"never happened; last scrape: {samples}"
            time.sleep(0.05)
            samples = self.scrape()
        return samples

    def stop(self, signum: int = signal.SIGTERM, within: float = 5.0) -> int:
        """Send ``signum``; return the exit status, which must come within ``within`` seconds."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(within)
        finally:
            self._reader.join(5)

    def __enter__(self) -> ExporterProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self._reader.join(5)
        assert self.process.stderr is not None
        self.process.stderr.close()
