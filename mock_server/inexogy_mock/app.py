"""``create_app``: the connexion application built from the project's openapi.yaml."""

from __future__ import annotations

import asyncio
import functools
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

with warnings.catch_warnings():
    # connexion imports starlette's test client, which warns about httpx on every import.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    import connexion
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.resolver import Resolver
from connexion.spec import Specification

from .accounts import DEMO_ACCOUNT, Account, Registry
from .auth_middleware import Authenticator, AuthMiddleware
from .direct import DirectDispatch, DirectRoute, parameterless_gets
from .faults import FaultMiddleware, FaultPlan, GlitchMiddleware, GlitchPlan, RawSendMiddleware
from .handlers import Handlers
from .limits import BodyLimitMiddleware
from .oauth import OAuthProvider, TokenLifetime
from .ratelimit import RateLimits
from .switches import Switches
from .texts import NGINX_NOT_FOUND, ServiceError, error_text

# A symlink to the project's openapi.yaml in a checkout; the file itself in an installed wheel.
DEFAULT_SPEC = Path(__file__).parent / "openapi.yaml"
BASE_PATH = "/public/v1"
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Operations whose answer can take long to compute (a virtual meter's raw day with each=true
# and disaggregation=true): computed in a worker thread so small requests stay fast meanwhile.
OFFLOADED_OPERATIONS = frozenset(
    {
        "getReadings",
        "getStatistics",
        "getLoadProfile",
        "getRawLoadProfile",
        "getDisaggregation",
        "getActivities",
    }
)


class SimulatorApp(connexion.AsyncApp):  # type: ignore[misc]
    """The simulator's ASGI app; ``switches`` changes faults and limits while it serves."""

    switches: Switches
    accounts: tuple[Account, ...]
    # the outermost layer: parameterless GETs served directly, the rest by connexion's stack
    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection or request."""
        await (self.front or self.middleware)(scope, receive, send)


def _in_worker(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run an async handler to completion in a worker thread (its own event loop)."""

    @functools.wraps(handler)
    async def offloaded(*args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(asyncio.run, handler(*args, **kwargs))

    return offloaded


def _resolver(resolve: Callable[[str], Callable[..., Any]]) -> Callable[[str], Callable[..., Any]]:
    def resolve_offloading(operation_id: str) -> Callable[..., Any]:
        handler = resolve(operation_id)
        return _in_worker(handler) if operation_id in OFFLOADED_OPERATIONS else handler

    return resolve_offloading


def _text(
    status: int, message: str | None, headers: dict[str, str] | None = None
) -> ConnexionResponse:
    body = "" if message is None else error_text(status, message)
    return ConnexionResponse(status_code=status, mimetype="text/plain", body=body, headers=headers)


def _service_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, ServiceError)
    return _text(error.status, error.message, error.headers)


def _allowed_methods(spec: Path) -> dict[str, str]:
    """Return the ``Allow`` header of every path of the spec (HEAD comes with GET)."""
    paths = Specification.load(spec).raw["paths"]
    allowed = {}
    for path, item in paths.items():
        methods = [verb.upper() for verb in item if verb in _HTTP_METHODS]
        if "GET" in methods:
            methods.append("HEAD")
        allowed[BASE_PATH + path] = ", ".join(sorted(methods))
    return allowed


def _problem_handler(
    allowed: dict[str, str],
) -> Callable[[ConnexionRequest, Exception], ConnexionResponse]:
    """Turn connexion's problem+json errors (validation, routing) into the service's text."""

    def handle(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        assert isinstance(error, HTTPException)
        status = error.status_code
        if status == 404:  # no route: nginx in front of the service answers its HTML page
            return ConnexionResponse(status_code=404, mimetype="text/html", body=NGINX_NOT_FOUND)
        detail = str(getattr(error, "detail", None) or getattr(error, "title", None) or "")
        first_line = detail.strip().splitlines()[0] if detail.strip() else "Invalid request"
        headers = dict(getattr(error, "headers", None) or {})
        if status == 405 and request.url.path in allowed:
            headers["Allow"] = allowed[request.url.path]
        return _text(status, first_line, headers)

    return handle


def _crash(_request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    return _text(500, "Internal Server Error")


def _middlewares(
    provider: OAuthProvider,
    passwords: dict[str, str],
    switches: Switches,
    glitches: GlitchPlan | None = None,
) -> list[Any]:
    """Connexion's stack with our authentication in place of its security middleware."""
    plan_of = functools.partial(getattr, switches, "faults")
    stack: list[Any] = [RawSendMiddleware, BodyLimitMiddleware]
    for middleware in ConnexionMiddleware.default_middlewares:
        if middleware is SecurityMiddleware:
            stack.append(functools.partial(AuthMiddleware, provider=provider, passwords=passwords))
            stack.append(functools.partial(FaultMiddleware, plan_of=plan_of))
            stack.append(functools.partial(GlitchMiddleware, plan=glitches))
        else:
            stack.append(middleware)
    return stack


def create_app(
    *,
    accounts: Sequence[Account] | None = None,
    token_lifetime: float | None = None,
    token_lifetime_requests: int | None = None,
    faults: FaultPlan | None = None,
    rate_limits: RateLimits | None = None,
    clock: Callable[[], float] | None = None,
    validate_responses: bool = False,
    auth_clock: Callable[[], float] | None = None,
    spec_path: str | Path | None = None,
    glitches: GlitchPlan | None = None,
) -> SimulatorApp:
    """Return the simulator as a connexion ``AsyncApp`` serving the API under ``/public/v1``.

    ``accounts`` defaults to the demo account only. ``clock`` (seconds since the epoch) is the
    "now" of the data; ``auth_clock`` drives token lifetimes, OAuth timestamps and rate limits
    (both default to ``time.time``). ``token_lifetime`` (seconds) and
    ``token_lifetime_requests`` (data requests) expire access tokens; ``faults`` injects
    failures into data endpoints; ``glitches`` makes registers in readings read 0 or jump
    back (see :class:`~inexogy_mock.faults.GlitchPlan`); ``rate_limits`` bounds the unsigned
    OAuth steps per IP; ``spec_path`` overrides the project's ``openapi.yaml``. The app's
    ``switches`` change faults, token lifetime and rate limits while it serves; ``accounts``
    are its accounts.
    """
    account_list = tuple(accounts) if accounts is not None else (DEMO_ACCOUNT,)
    registry = Registry(list(account_list))
    wall = auth_clock or time.time
    provider = OAuthProvider(
        registry.passwords, wall, TokenLifetime(token_lifetime, token_lifetime_requests)
    )
    handlers = Handlers(registry, provider, rate_limits or RateLimits(), clock or time.time, wall)
    spec = Path(spec_path) if spec_path is not None else DEFAULT_SPEC
    if not spec.is_file():
        raise FileNotFoundError(f"openapi.yaml not found at {spec}: pass spec_path=...")
    switches = Switches(provider, handlers.rate_limiter, faults)
    resolve = _resolver(handlers.resolve)
    # with response validation on, every answer goes through connexion
    answers = {} if validate_responses else handlers.direct_answers()
    direct_routes = {
        path: DirectRoute(operation, answers[operation])
        for path, operation in parameterless_gets(Specification.load(spec).raw, BASE_PATH).items()
        if operation in answers
    }
    app = SimulatorApp(
        __name__,
        specification_dir=str(spec.parent),
        middlewares=_middlewares(provider, registry.passwords, switches, glitches),
    )
    app.switches = switches
    if direct_routes:
        # glitches touch only readings, which are never dispatched directly
        app.front = DirectDispatch(
            app.middleware,
            routes=direct_routes,
            base_path=BASE_PATH,
            authenticator=Authenticator(provider, registry.passwords),
            plan_of=functools.partial(getattr, switches, "faults"),
        )
    app.accounts = account_list
    app.add_api(
        spec.name,
        base_path=BASE_PATH,
        resolver=Resolver(function_resolver=resolve),
        pythonic_params=True,
        validate_responses=validate_responses,
        strict_validation=False,
    )
    app.add_error_handler(ServiceError, _service_error)
    problem = _problem_handler(_allowed_methods(spec))
    app.add_error_handler(ProblemException, problem)
    app.add_error_handler(HTTPException, problem)
    app.add_error_handler(Exception, _crash)
    return app
