"""The result of an authorization: consumer and access token, each with its secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["DEFAULT_APP_NAME", "Credentials"]

DEFAULT_APP_NAME = "inexogy-python"
"""The application name a new consumer token is registered under."""

_HIDDEN = "'***'"


@attrs.frozen(repr=False)
class Credentials:
    """A consumer (key, secret) and an access token (key, secret); never a password.

    ``base_url`` is the API the token was issued by, when known: a token is good for that
    service only. ``repr`` and ``str`` show the keys and hide both secrets.
    """

    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str
    # Not part of equality: the same keys are the same token, wherever it was recorded.
    base_url: str | None = attrs.field(default=None, kw_only=True, eq=False)

    def to_dict(self) -> dict[str, str]:
        """Return the values under their attribute names (as ``from_dict`` reads them).

        ``base_url`` is left out when it is not known.
        """
        values = {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "token": self.token,
            "token_secret": self.token_secret,
        }
        if self.base_url is not None:
            values["base_url"] = self.base_url
        return values

    def for_service(self, base_url: str) -> Credentials:
        """Return these credentials recorded as issued by the API at ``base_url``."""
        return attrs.evolve(self, base_url=base_url.rstrip("/"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Credentials:
        """Build credentials from a mapping with the keys of ``to_dict``, all strings.

        ``base_url`` may be missing (files written before it was recorded). Raises
        ``ValueError`` naming the missing or malformed keys (never their values).
        """
        names = [field.name for field in attrs.fields(cls) if field.name != "base_url"]
        bad = [name for name in names if not isinstance(data.get(name), str) or not data[name]]
        base_url = data.get("base_url")
        if base_url is not None and (not isinstance(base_url, str) or not base_url):
            bad.append("base_url")
        if bad:
            raise ValueError(f"credentials need non-empty text under {', '.join(bad)}")
        return cls(*(data[name] for name in names), base_url=base_url)

    def __repr__(self) -> str:
        return (
            f"Credentials(consumer_key={self.consumer_key!r}, consumer_secret={_HIDDEN}, "
            f"token={self.token!r}, token_secret={_HIDDEN}, base_url={self.base_url!r})"
        )

    __str__ = __repr__
