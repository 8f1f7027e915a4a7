"""The service's error answers: ``text/plain`` bodies shaped ``<code> <Reason>: <message>``."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from starlette.responses import Response

MISSING_AUTHORIZATION = "Authorization header missing in HTTP request"
UNKNOWN_METER = "Unable to find meter with meterId: {meter_id}"
INVALID_METER_ID = "Invalid meterId: {meter_id}"
NOT_VIRTUAL = "The meter {meter_id} is not a virtual meter"
NO_VIRTUAL_PERMISSION = "You do not have permission to create virtual meters"
DISAGGREGATION_TOO_LONG = (
    "Duration of the data cannot be larger than 1 week. Please try for a smaller duration."
)
ACTIVITIES_TOO_LONG = (
    "Duration of the data cannot be larger than 1 month. Please try for a smaller duration."
)
CONSUMER_REGISTRATION_RATE = (
    "Rate of consumer_token requests from {ip} is too high. Please reuse tokens!"
)
AUTHORIZE_RATE = "Rate of authorize requests from {ip} is too high."
INVALID_LOGIN = "Invalid email or password"


NGINX_NOT_FOUND = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
"""The page nginx answers for a path the service does not deploy (e.g. ``/calendars``)."""


def error_text(status: int, message: str) -> str:
    """Return ``"<code> <Reason>: <message>"``."""
    return f"{status} {HTTPStatus(status).phrase}: {message}"


def text_response(
    status: int, message: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """Return a text/plain error answer; ``message=None`` gives an empty body."""
    body = "" if message is None else error_text(status, message)
    return Response(body, status_code=status, media_type="text/plain", headers=headers)


class ServiceError(Exception):
    """An error answer raised by a handler; ``message=None`` answers an empty body."""

    def __init__(
        self, status: int, message: str | None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        """Return the text/plain answer of this error."""
        return text_response(self.status, self.message, self.headers)


def bad_request(message: str) -> ServiceError:
    """Return a 400 error with the given message."""
    return ServiceError(400, message)
