from pathlib import Path

import pytest
from inexogy.extras import MissingExtraError, require


def test_require_returns_the_module() -> None:
    import json

    assert require("json", "tables") is json


def test_a_missing_package_names_the_extra_to_install() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require("no_such_package_here.sub", "tables", "Parquet export")
    assert str(caught.value) == (
        "Parquet export needs no_such_package_here, which is not installed: "
        "pip install 'inexogy[tables]'"
    )
    assert caught.value.extra == "tables"


def test_a_missing_dependency_inside_an_installed_package_is_not_blamed_on_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_pkg_for_test.py").write_text("import another_missing_module_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as caught:
        require("broken_pkg_for_test", "tables")
    assert not isinstance(caught.value, MissingExtraError)
