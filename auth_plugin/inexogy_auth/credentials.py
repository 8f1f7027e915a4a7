"""The result of an authorization: consumer and access token, each with its secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Credentials"]

_HIDDEN = "'***'"


@attrs.frozen(repr=False)
class Credentials:
    """A consumer (key, secret) and an access token (key, secret); never a password.

    ``repr`` and ``str`` show the keys and hide both secrets.
    """

    consumer_key: str
    consumer_secret: str
    token: str
    token_secret: str

    def to_dict(self) -> dict[str, str]:
        """Return the four values under their attribute names (as ``from_dict`` reads them)."""
        return {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "token": self.token,
            "token_secret": self.token_secret,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Credentials:
        """Build credentials from a mapping with the four keys of ``to_dict``, all strings.

        Raises ``ValueError`` naming the missing or malformed keys (never their values).
        """
        names = [field.name for field in attrs.fields(cls)]
        bad = [name for name in names if not isinstance(data.get(name), str) or not data[name]]
        if bad:
            raise ValueError(f"credentials need non-empty text under {', '.join(bad)}")
        return cls(*(data[name] for name in names))

    def __repr__(self) -> str:
        return (
            f"Credentials(consumer_key={self.consumer_key!r}, consumer_secret={_HIDDEN}, "
            f"token={self.token!r}, token_secret={_HIDDEN})"
        )

    __str__ = __repr__
