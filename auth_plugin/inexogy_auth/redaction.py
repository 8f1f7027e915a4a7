"""Keep passwords and secrets out of log records and error texts.

httpx logs every request URL at INFO, and the authorize step carries the password in its query
string. ``install_log_redaction()`` (run when ``inexogy_auth`` is imported, and again before
every dance) puts a filter on the httpx and httpcore loggers that rewrites such records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "SecretRedactingFilter", "install_log_redaction", "redact_text"]

REDACTED = "[REDACTED]"

# key=value, key="value", "key": "value", 'key': 'value' and %3D-encoded pairs whose key names
# a password, a secret or a signature (oauth_token_secret, consumer_secret, oauth_signature...).
_SECRET_PAIR = re.compile(
    r"""(?P<key>[A-Za-z_]*(?:password|secret|signature))(?P<close>["']?)(?P<sep>\s*[:=]\s*|%3D)"""
    r"""(?:"[^"]*"|'[^']*'|[^&\s,;"'}\]]*)""",
    re.IGNORECASE,
)
_SHORTEST_VALUE_REPLACED = 3
_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with secret-looking pairs and every given secret value replaced.

    The values are also replaced in their percent-encoded forms, as they appear in URLs and
    form bodies. Values shorter than three characters are left alone (they would garble the
    text without hiding anything).
    """
    redacted = _SECRET_PAIR.sub(rf"\g<key>\g<close>\g<sep>{REDACTED}", text)
    for secret in secrets:
        if len(secret) < _SHORTEST_VALUE_REPLACED:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            redacted = redacted.replace(form, REDACTED)
    return redacted


class SecretRedactingFilter(logging.Filter):
    """A logging filter that rewrites records whose message names a password or a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: let logging report it as usual
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_FILTER = SecretRedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to the httpx and httpcore loggers (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, SecretRedactingFilter) for existing in logger.filters):
            logger.addFilter(_FILTER)
