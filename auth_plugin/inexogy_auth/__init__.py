"""OAuth 1.0a for the inexogy API, plugged into the generated ``inexogy_client``.

From email and password to signed data calls in three lines::

    with inexogy_client.Client(base_url=URL) as c: creds = authorize(c, email, pw)
    store.save(creds)
    inexogy_client.Client(base_url=URL, httpx_args={"auth": OAuth1Auth.from_credentials(creds)})

The last line is the client for data calls (use it as a context manager); ``store`` is a
``TokenStore()``, a private JSON file that survives restarts: later sessions start from
``store.load()``. To heal an expired token by itself, give the
auth a ``Reauthorizer(URL, lambda: (email, pw), store=store)``: on a 401 it runs the dance
once more and replays the request. ``BasicAuth(email, pw)`` is the simpler alternative the API
accepts on data endpoints. Importing this package puts a filter on the httpx loggers that
redacts passwords and secrets from their records.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .redaction import SecretRedactingFilter, install_log_redaction, redact_text, secret_forms

if TYPE_CHECKING:
    from .basic import BasicAuth
    from .credentials import DEFAULT_APP_NAME, Credentials
    from .dance import ACCEPT, authorize, authorize_async
    from .errors import (
        AuthError,
        InvalidCredentialsError,
        RateLimitedError,
        TokenExpiredError,
        TokenStoreError,
        UnexpectedAnswerError,
    )
    from .oauth1 import OAuth1Auth
    from .reauthorizer import Reauthorizer
    from .store import TOKEN_FILE_ENV, TokenStore

    __version__: str

__all__ = [
    "ACCEPT",
    "DEFAULT_APP_NAME",
    "TOKEN_FILE_ENV",
    "AuthError",
    "BasicAuth",
    "Credentials",
    "InvalidCredentialsError",
    "OAuth1Auth",
    "RateLimitedError",
    "Reauthorizer",
    "SecretRedactingFilter",
    "TokenExpiredError",
    "TokenStore",
    "TokenStoreError",
    "UnexpectedAnswerError",
    "authorize",
    "authorize_async",
    "install_log_redaction",
    "redact_text",
    "secret_forms",
]

# Where each public name lives: imported on first use (PEP 562), so that importing one part
# (the token store, the redaction) does not import httpx and the generated client.
_MODULES = {
    "ACCEPT": ".dance",
    "DEFAULT_APP_NAME": ".credentials",
    "TOKEN_FILE_ENV": ".store",
    "AuthError": ".errors",
    "BasicAuth": ".basic",
    "Credentials": ".credentials",
    "InvalidCredentialsError": ".errors",
    "OAuth1Auth": ".oauth1",
    "RateLimitedError": ".errors",
    "Reauthorizer": ".reauthorizer",
    "TokenExpiredError": ".errors",
    "TokenStore": ".store",
    "TokenStoreError": ".errors",
    "UnexpectedAnswerError": ".errors",
    "authorize": ".dance",
    "authorize_async": ".dance",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("inexogy")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


install_log_redaction()
