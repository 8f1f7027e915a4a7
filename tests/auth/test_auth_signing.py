"""OAuth 1.0a signing: known answers, and a property test verified server-side by oauthlib."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from urllib.parse import quote

import httpx
import inexogy_client
import pytest
from auth_testkit import FORM, oauth_params, signature_verifies
from hypothesis import given, settings
from hypothesis import strategies as st
from inexogy_auth import OAuth1Auth
from inexogy_client.api.measurements import get_readings
from inexogy_client.api.metadata import get_meters

# OAuth Core 1.0, appendix A.
PHOTOS_CONSUMER = ("dpf43f3p2l4k3l03", "kd94hf93k423kf44")
PHOTOS_TOKEN = ("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")
PHOTOS_URL = "http://photos.example.net/photos?file=vacation.jpg&size=original"


def capture(auth: httpx.Auth, send: Callable[[httpx.Client], object]) -> httpx.Request:
    """Send one request through ``auth`` to a mock transport and return what arrived."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    with httpx.Client(transport=httpx.MockTransport(answer), auth=auth) as client:
        send(client)
    assert len(seen) == 1
    return seen[0]


def rfc3986(text: str) -> str:
    return quote(text, safe="~")


def hand_signature(
    method: str,
    base_uri: str,
    params: list[tuple[str, str]],
    consumer_secret: str,
    token_secret: str,
) -> str:
    """RFC 5849 §3.4 written out by hand, independent of oauthlib."""
    normalized = "&".join(
        f"{k}={v}" for k, v in sorted((rfc3986(k), rfc3986(v)) for k, v in params)
    )
    base_string = "&".join([method, rfc3986(base_uri), rfc3986(normalized)])
    key = f"{rfc3986(consumer_secret)}&{rfc3986(token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def pinned(nonce: str, timestamp: int, **kwargs: object) -> OAuth1Auth:
    return OAuth1Auth(
        *PHOTOS_CONSUMER,
        *PHOTOS_TOKEN,
        nonce_factory=lambda: nonce,
        clock=lambda: timestamp + 0.75,  # seconds are truncated, not rounded
        **kwargs,  # type: ignore[arg-type]
    )


def test_oauth_core_appendix_a_known_answer() -> None:
    auth = pinned("kllo9940pd9333jh", 1191242096)
    request = capture(auth, lambda client: client.get(PHOTOS_URL))
    params = oauth_params(request.headers["Authorization"])
    assert params["oauth_signature"] == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


def test_appendix_a_header_pinned_byte_for_byte() -> None:
    auth = pinned("kllo9940pd9333jh", 1191242096)
    request = capture(auth, lambda client: client.get(PHOTOS_URL))
    assert request.headers["Authorization"] == (
        'OAuth oauth_nonce="kllo9940pd9333jh", oauth_timestamp="1191242096", '
        'oauth_version="1.0", oauth_signature_method="HMAC-SHA1", '
        'oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", '
        'oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"'
    )


def test_generated_client_request_pinned_byte_for_byte() -> None:
    """A data call of the generated client, with query parameters, against a hand signature."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    auth = OAuth1Auth(
        "btgd2cg2bm3lbjqsfv150fj9q8",
        "nequdoe1msgb96pn20gn4jof0g",
        "d8e83cf9e2904789ab5e828c66ef4fb9",
        "pfkkdhi9sl3r4s00",
        nonce_factory=lambda: "ca154e4b-c5b6-438e-92ad-2d143591995e",
        clock=lambda: 1467792887,
    )
    with inexogy_client.Client(
        base_url="https://api.inexogy.com/public/v1",
        httpx_args={"auth": auth, "transport": httpx.MockTransport(answer)},
    ) as client:
        response = get_readings.sync_detailed(
            client=client,
            meter_id="EASYMETER_61229886",
            from_=1467792000000,
            resolution="fifteen_minutes",
            fields="energy,power",
        )
    assert response.status_code == 200
    (request,) = seen
    query = [(k, v) for k, v in httpx.QueryParams(request.url.query.decode()).multi_items()]
    oauth = [
        ("oauth_nonce", "ca154e4b-c5b6-438e-92ad-2d143591995e"),
        ("oauth_timestamp", "1467792887"),
        ("oauth_version", "1.0"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_consumer_key", "btgd2cg2bm3lbjqsfv150fj9q8"),
        ("oauth_token", "d8e83cf9e2904789ab5e828c66ef4fb9"),
    ]
    expected = hand_signature(
        "GET",
        "https://api.inexogy.com/public/v1/readings",
        query + oauth,
        "nequdoe1msgb96pn20gn4jof0g",
        "pfkkdhi9sl3r4s00",
    )
    assert request.headers["Authorization"] == "OAuth " + ", ".join(
        [f'{k}="{v}"' for k, v in oauth] + [f'oauth_signature="{quote(expected, safe="")}"']
    )


def test_form_body_and_query_are_signed_non_form_body_is_not() -> None:
    auth = pinned("n0nce", 1700000000)
    url = "https://api.example.test/p/a%20b;x?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    form = capture(auth, lambda c: c.post(url, data={"c2": "", "a3": "2 q"}))
    assert form.headers["Content-Type"] == FORM
    oauth = [(k, v) for k, v in oauth_params(form.headers["Authorization"]).items()]
    params = [("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b"), ("c2", ""), ("a3", "2 q")]
    expected = hand_signature(
        "POST",
        "https://api.example.test/p/a%20b;x",
        params + [(k, v) for k, v in oauth if k != "oauth_signature"],
        PHOTOS_CONSUMER[1],
        PHOTOS_TOKEN[1],
    )
    assert dict(oauth)["oauth_signature"] == expected

    json_body = capture(auth, lambda c: c.post(url, json={"c2": "", "a3": "2 q"}))
    oauth = [(k, v) for k, v in oauth_params(json_body.headers["Authorization"]).items()]
    assert "oauth_body_hash" not in dict(oauth)
    expected = hand_signature(
        "POST",
        "https://api.example.test/p/a%20b;x",
        params[:4] + [(k, v) for k, v in oauth if k != "oauth_signature"],
        PHOTOS_CONSUMER[1],
        PHOTOS_TOKEN[1],
    )
    assert dict(oauth)["oauth_signature"] == expected


def test_nonce_is_fresh_and_timestamp_in_seconds() -> None:
    auth = OAuth1Auth(*PHOTOS_CONSUMER, *PHOTOS_TOKEN, clock=lambda: 1_700_000_123.9)
    first = oauth_params(capture(auth, lambda c: c.get(PHOTOS_URL)).headers["Authorization"])
    second = oauth_params(capture(auth, lambda c: c.get(PHOTOS_URL)).headers["Authorization"])
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert len(first["oauth_nonce"]) >= 32
    assert first["oauth_timestamp"] == second["oauth_timestamp"] == "1700000123"


def test_default_clock_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.time", lambda: 1_234_567_890.5)
    auth = OAuth1Auth(*PHOTOS_CONSUMER)
    params = oauth_params(capture(auth, lambda c: c.get(PHOTOS_URL)).headers["Authorization"])
    assert params["oauth_timestamp"] == "1234567890"
    assert "oauth_token" not in params


def test_request_token_and_verifier_parameters() -> None:
    consumer_only = OAuth1Auth(*PHOTOS_CONSUMER, callback="oob")
    params = oauth_params(
        capture(consumer_only, lambda c: c.post(PHOTOS_URL)).headers["Authorization"]
    )
    assert params["oauth_callback"] == "oob"
    assert "oauth_token" not in params
    with_verifier = OAuth1Auth(*PHOTOS_CONSUMER, *PHOTOS_TOKEN, verifier="97e1c702")
    params = oauth_params(
        capture(with_verifier, lambda c: c.post(PHOTOS_URL)).headers["Authorization"]
    )
    assert params["oauth_verifier"] == "97e1c702"
    assert params["oauth_token"] == PHOTOS_TOKEN[0]


def test_token_and_secret_go_together() -> None:
    with pytest.raises(ValueError, match="together"):
        OAuth1Auth(*PHOTOS_CONSUMER, token="t")
    with pytest.raises(ValueError, match="verifier"):
        OAuth1Auth(*PHOTOS_CONSUMER, verifier="v")


@pytest.mark.anyio
async def test_async_client_is_signed_the_same_way() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    auth = pinned("kllo9940pd9333jh", 1191242096)
    async with inexogy_client.Client(
        base_url="http://photos.example.net",
        httpx_args={"auth": auth, "transport": httpx.MockTransport(answer)},
    ) as client:
        await get_meters.asyncio_detailed(client=client)
    (request,) = seen
    assert signature_verifies(
        "GET", str(request.url), request.headers, b"", PHOTOS_CONSUMER[1], PHOTOS_TOKEN[1]
    )


# --- property: whatever the plugin signs, an oauthlib server verifies --------------------------

RESERVED = ":/?#[]@!$&'()*+,;=% "
pieces = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    st.text(RESERVED + "~-._aZ9ä€", max_size=6),
)
keys = st.one_of(st.sampled_from(["a", "b", "fields", ""]), pieces).filter(
    lambda key: not key.startswith("oauth_")
)
segments = st.tuples(pieces, st.sampled_from(["", "!$&'()*+,;=:@"])).map(
    lambda piece: quote(piece[0], safe=piece[1])
)
raw_queries = st.text("abz09=&+%;,/?:@!$'()*~[]|^{}`\"<>é- ", max_size=24).filter(
    lambda q: not q.startswith("oauth_")
)
methods = st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
forms = st.dictionaries(
    keys, st.one_of(pieces, st.lists(pieces, min_size=1, max_size=3)), max_size=4
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, object]]:
    method = draw(methods)
    path = "/" + "/".join(draw(st.lists(segments, max_size=4)))
    url = "https://api.example.test:8443/public/v1" + path
    kwargs: dict[str, object] = {}
    # httpx replaces a URL's query when params are given: test one or the other.
    if draw(st.booleans()):
        url += "?" + draw(raw_queries)
    else:
        kwargs["params"] = draw(st.lists(st.tuples(keys, pieces), max_size=6))
    if method not in {"GET", "HEAD"}:
        body = draw(st.sampled_from(["none", "form", "json", "text"]))
        if body == "form":
            kwargs["data"] = draw(forms)
        elif body == "json":
            kwargs["json"] = draw(forms)
        elif body == "text":
            kwargs["content"] = draw(pieces).encode()
    return method, url, kwargs


def tampered(authorization: str) -> str:
    signature = oauth_params(authorization)["oauth_signature"]
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 1
    return authorization.replace(
        quote(signature, safe=""), quote(base64.b64encode(raw).decode(), safe="")
    )


@settings(max_examples=200, deadline=None)
@given(request=requests(), secrets=st.tuples(pieces, pieces))
def test_every_signed_request_verifies_server_side(
    request: tuple[str, str, dict[str, object]], secrets: tuple[str, str]
) -> None:
    method, url, kwargs = request
    consumer_secret, token_secret = secrets
    auth = OAuth1Auth("consumer", consumer_secret, "token", token_secret)
    sent = capture(auth, lambda client: client.request(method, url, **kwargs))  # type: ignore[arg-type]
    # Rebuilt as a server sees it: Host header and the raw request target.
    wire_url = f"https://{sent.headers['Host']}{sent.url.raw_path.decode('ascii')}"
    headers = sent.headers
    assert signature_verifies(
        method, wire_url, headers, sent.content, consumer_secret, token_secret
    )

    assert not signature_verifies(
        method, wire_url, headers, sent.content, consumer_secret + "x", token_secret
    )
    forged = httpx.Headers(headers)
    forged["Authorization"] = tampered(headers["Authorization"])
    assert not signature_verifies(
        method, wire_url, forged, sent.content, consumer_secret, token_secret
    )
    other_query = wire_url + ("&" if "?" in wire_url else "?") + "extra=1"
    assert not signature_verifies(
        method, other_query, headers, sent.content, consumer_secret, token_secret
    )
