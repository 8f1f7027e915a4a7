"""Importing the packages is cheap: no optional package, no model or client not asked for."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import inexogy
import inexogy_auth
import inexogy_client
import inexogy_mock
import pytest

HEAVY = ("connexion", "flask", "uvicorn", "numpy", "matplotlib", "polars", "pandas", "pyarrow")


def _loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    script = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("package", ["inexogy_client", "inexogy_auth", "inexogy"])
def test_importing_a_package_loads_no_optional_package(package: str) -> None:
    loaded = _loaded_after(f"import {package}")
    assert not {name for name in HEAVY if name in loaded}
    assert not {name for name in loaded if name.startswith("inexogy_client.models.")}


def test_importing_a_model_does_not_import_the_other_models_nor_httpx() -> None:
    loaded = _loaded_after("from inexogy_client.models import Meter")
    models = {name for name in loaded if name.startswith("inexogy_client.models.")}
    assert models == {"inexogy_client.models.meter", "inexogy_client.models.location"}
    assert "httpx" not in loaded


def test_the_oauth_dance_imports_only_the_models_it_uses() -> None:
    loaded = _loaded_after("import inexogy_auth.dance")
    assert "inexogy_client.models.reading" not in loaded
    assert "inexogy_client.models.meter" not in loaded


def test_the_command_starts_without_the_library_behind_it() -> None:
    loaded = _loaded_after("import inexogy.cli.app")
    assert not {"httpx", "oauthlib", "polars", "numpy", "matplotlib", "inexogy.archive"} & loaded


def test_every_public_name_is_reachable_lazily() -> None:
    for package in (inexogy, inexogy_auth, inexogy_client):
        for name in package.__all__:
            assert getattr(package, name) is not None, (package.__name__, name)
        assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = inexogy.nothing_here  # type: ignore[attr-defined]


def test_each_package_has_the_distributions_version() -> None:
    expected = version("inexogy")
    assert inexogy.__version__ == expected
    assert inexogy_auth.__version__ == expected
    assert inexogy_client.__version__ == expected
    assert inexogy_mock.__version__ == expected


def test_the_version_and_user_agent_are_read_without_importlib_metadata() -> None:
    loaded = _loaded_after(
        "import inexogy\nfrom inexogy.connection import user_agent\n"
        "assert user_agent() == f'inexogy/{inexogy.__version__}'"
    )
    assert "importlib.metadata" not in loaded


def test_a_call_imports_only_its_own_endpoint_module() -> None:
    loaded = _loaded_after("from inexogy import calls\ncalls.meters()")
    endpoints = {name for name in loaded if name.startswith("inexogy_client.api.")}
    assert {name for name in endpoints if name.count(".") == 3} == {
        "inexogy_client.api.metadata.get_meters"
    }


def test_the_sync_client_loads_no_event_loop_no_export_and_no_oauth_dance() -> None:
    loaded = _loaded_after("import inexogy.client\nimport inexogy.cli.app")
    assert not {"asyncio", "inexogy.stream", "inexogy.readings", "inexogy_auth.dance"} & loaded
    assert "inexogy_client.models.reading" not in loaded


def test_a_plain_http_base_url_gets_a_tls_context_that_trusts_nobody() -> None:
    import ssl

    from inexogy.connection import verify_for

    assert verify_for("https://api.inexogy.com/public/v1") is True
    context = verify_for("http://127.0.0.1:8080/public/v1")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
