# ruff: noqa: E402, PT017, PT018 (a script run outside pytest, in a venv without it)
"""Run by test_bare_install.py with the python of a venv holding only the bare wheel.

Argument: the base URL of a simulator. Checks that importing the three packages loads none
of the optional packages, that the generated client with the auth plugin and the library's
meters/last-reading calls work, and that a feature of a missing extra names the extra.
Prints one line per check; exits non-zero on the first failure.
"""

import importlib.util
import sys

HEAVY = ("connexion", "flask", "uvicorn", "numpy", "matplotlib", "polars", "pandas", "typer")

base_url = sys.argv[1]

for optional in HEAVY:
    assert importlib.util.find_spec(optional) is None, f"{optional} is installed in the bare venv"

import inexogy
import inexogy_auth
import inexogy_client
from inexogy_client.api.metadata import get_meters

loaded = sorted(name for name in HEAVY if name in sys.modules)
assert not loaded, f"importing the packages loaded {loaded}"
print("imports: no optional package loaded")
assert inexogy.__version__ == inexogy_auth.__version__ == inexogy_client.__version__
print(f"version: {inexogy.__version__}")

# The generated client with the auth plugin, as the README shows it.
with inexogy_client.Client(base_url=base_url) as plain:
    credentials = inexogy_auth.authorize(plain, "demo@inexogy.com", "demo")
auth = inexogy_auth.OAuth1Auth.from_credentials(credentials)
with inexogy_client.Client(base_url=base_url, httpx_args={"auth": auth}) as signed:
    meters = get_meters.sync(client=signed)
assert isinstance(meters, list) and meters, meters
print(f"client + auth plugin: {len(meters)} meters")

# The library.
with inexogy.Inexogy.login("demo@inexogy.com", "demo", base_url=base_url) as api:
    listed = api.meters()
    assert [meter.meter_id for meter in listed] == [meter.meter_id for meter in meters]
    reading = api.last_reading(listed[0].meter_id)
    assert reading.values, reading
    print(f"library: {len(listed)} meters, last reading with {len(reading.values)} fields")
    day = api.readings(listed[0].meter_id, reading.time.replace(hour=0), resolution="one_hour")
    try:
        day.to_polars()
    except inexogy.extras.MissingExtraError as error:
        assert str(error).endswith("pip install 'inexogy[tables]'"), error
        print(f"missing extra: {error}")
    else:
        raise AssertionError("to_polars worked without polars")

loaded = sorted(name for name in HEAVY if name in sys.modules)
assert not loaded, f"the calls loaded {loaded}"
import inexogy_mock  # the package itself loads (its pytest plugin must), its names do not

try:
    inexogy_mock.create_app  # noqa: B018
except ImportError as error:
    assert str(error).endswith("pip install 'inexogy[mock]'"), error
    print(f"missing extra: {error}")
else:
    raise AssertionError("the simulator loaded without connexion")
print("bare install: all checks passed")
