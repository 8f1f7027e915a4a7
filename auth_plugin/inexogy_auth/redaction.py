"""Keep passwords and secrets out of log records and error texts.

httpx logs every request URL at INFO, and the authorize step carries the password in its query
string. ``install_log_redaction()`` (run when ``inexogy_auth`` is imported, and again before
every dance) puts a filter on the httpx and httpcore loggers that rewrites such records.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTED",
    "SecretRedactingFilter",
    "install_log_redaction",
    "redact_text",
    "secret_forms",
]

REDACTED = "[REDACTED]"

# key=value, key="value", "key": "value", 'key': 'value' and %3D-encoded pairs whose key names
# a password, a secret or a signature (oauth_token_secret, consumer_secret, oauth_signature...).
_SECRET_PAIR = re.compile(
    r"""(?P<key>[A-Za-z_]*(?:password|secret|signature))(?P<close>["']?)(?P<sep>\s*[:=]\s*|%3D)"""
    r"""(?:"[^"]*"|'[^']*'|[^&\s,;"'}\]]*)""",
    re.IGNORECASE,
)
# Credentials in header form, wherever a server or a proxy echoes them: the Basic token
# (base64 of email:password), Bearer tokens, and the whole value of an OAuth header.
_CREDENTIAL_CHAR = r"[A-Za-z0-9+/=._~%-]"
_HEADER_CREDENTIALS = re.compile(
    # As a header: "Authorization: Basic dXNl..." (whatever follows the scheme).
    r"(?P<scheme>\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:Basic|Bearer|Digest)\s+)"
    rf"{_CREDENTIAL_CHAR}{{4,}}"
    # Alone: "Basic dXNl..." when the token looks encoded (a digit, "+", "/" or "="), so
    # that words after "Basic" in a sentence stay readable.
    rf"|(?P<bare>\b(?:Basic|Bearer)\s+)(?={_CREDENTIAL_CHAR}*[0-9+/=]){_CREDENTIAL_CHAR}{{8,}}"
    r"|(?P<oauth>\bOAuth\s+)(?:realm|oauth_)[^\r\n]*",
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


def _header_sub(match: re.Match[str]) -> str:
    return (match["scheme"] or match["bare"] or match["oauth"]) + REDACTED


def secret_forms(secret: str) -> set[str]:
    """Return every form ``secret`` may take in a text: as is, percent-encoded, base64.

    The base64 forms (standard and URL-safe, with and without padding) are how a Basic
    ``Authorization`` header carries ``email:password``; give that pair as a secret too.
    """
    encoded = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    for b64 in (base64.b64encode(encoded), base64.urlsafe_b64encode(encoded)):
        text = b64.decode("ascii")
        forms.update({text, text.rstrip("=")})
    return {form for form in forms if len(form) >= _SHORTEST_VALUE_REPLACED}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with secret-looking pairs, credentials and every given secret replaced.

    Replaced are: ``password=...``, ``"secret": "..."`` and the like; the credentials of
    ``Basic``, ``Bearer`` and ``OAuth`` header values; and each value of ``secrets`` in every
    form of ``secret_forms`` (raw, percent-encoded, base64). Values shorter than three
    characters are left alone (they would garble the text without hiding anything).
    """
    redacted = _SECRET_PAIR.sub(rf"\g<key>\g<close>\g<sep>{REDACTED}", text)
    redacted = _HEADER_CREDENTIALS.sub(_header_sub, redacted)
    forms = set().union(*(secret_forms(secret) for secret in secrets if secret))
    # Longest first: a form may contain another one.
    for form in sorted(forms, key=len, reverse=True):
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
