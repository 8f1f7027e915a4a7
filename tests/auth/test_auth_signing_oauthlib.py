"""The fast signer equals oauthlib: every header is the one ``oauthlib.oauth1.Client.sign`` makes.

``OAuth1Auth`` signs with oauthlib's primitives and precomputes what does not change (escaped
protocol parameters, the signing key, base URIs). oauthlib stays the reference: for any request
(method, URL, query, form, keys, callback, verifier, nonce, timestamp) the whole Authorization
header must be byte-identical to what oauthlib's ``Client.sign`` returns for the same request.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from inexogy_auth import OAuth1Auth
from oauthlib import oauth1
from test_auth_signing import capture, keys, methods, pieces, raw_queries, segments

FORM = "application/x-www-form-urlencoded"


def oauthlib_uri(url: httpx.URL) -> str:
    """The URL as oauthlib accepts it: what it refuses in a query is percent-escaped first.

    (httpx sends "[]|^{}`" and stray "%" raw; escaping them changes no decoded parameter.)
    """
    head, mark, query = str(url.copy_with(fragment=None)).partition("?")
    query = quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", query), safe="=&;:%+~,*@!()/?'$")
    return head + mark + query


def oauthlib_header(
    request: httpx.Request,
    consumer: tuple[str, str],
    token: tuple[str, str] | None,
    callback: str | None,
    verifier: str | None,
    nonce: str,
    timestamp: int,
) -> str:
    form = request.headers.get("Content-Type") == FORM and request.method not in {"GET", "HEAD"}
    body = request.content.decode() if form and request.content else None
    client = oauth1.Client(
        consumer[0],
        client_secret=consumer[1],
        resource_owner_key=token[0] if token else None,
        resource_owner_secret=token[1] if token else None,
        callback_uri=callback,
        verifier=verifier,
        signature_method=oauth1.SIGNATURE_HMAC_SHA1,
        signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER,
        nonce=nonce,
        timestamp=str(timestamp),
    )
    headers = {"Content-Type": FORM} if body else {}
    _, signed, _ = client.sign(oauthlib_uri(request.url), request.method, body, headers)
    return str(signed["Authorization"])


words = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=10)
# oauthlib unescapes query and form values whose name starts with oauth_, and drops
# oauth_signature: the signer must do the same
any_keys = st.one_of(keys, st.sampled_from(["oauth_extra", "oauth_signature"]))


@st.composite
def signed_requests(draw: st.DrawFn) -> tuple[str, str, dict[str, object]]:
    method = draw(methods)
    host = draw(st.sampled_from(["api.example.test", "API.Example.test:443", "127.0.0.1:8080"]))
    scheme = draw(st.sampled_from(["http", "https"]))
    url = f"{scheme}://{host}/public/v1/" + "/".join(draw(st.lists(segments, max_size=3)))
    kwargs: dict[str, object] = {}
    if draw(st.booleans()):
        url += "?" + draw(raw_queries)
    else:
        kwargs["params"] = draw(st.lists(st.tuples(any_keys, pieces), max_size=6))
    if method not in {"GET", "HEAD"} and draw(st.booleans()):
        kwargs["data"] = draw(st.dictionaries(any_keys, pieces, max_size=4))
    return method, url, kwargs


@settings(max_examples=300, deadline=None)
@given(
    request=signed_requests(),
    consumer=st.tuples(words, pieces),
    token=st.one_of(st.none(), st.tuples(words, pieces)),
    callback=st.one_of(st.none(), st.just("oob"), words),
    nonce=st.one_of(st.text("0123456789abcdef", min_size=32, max_size=32), words),
    timestamp=st.integers(0, 10**11),
)
@example(
    request=(
        "POST",
        "https://h.test/p?oauth_extra=%2541&oauth_signature=x&b=%zz&c=[]|^{}`",
        {"data": {"oauth_extra": "%41", "oauth_signature": "y", "a b": "~+"}},
    ),
    consumer=("key", "s&cret"),
    token=("tok", "t secret"),
    callback=None,
    nonce="n o+n/ce",
    timestamp=1,
)
def test_every_header_equals_oauthlibs_client_sign(
    request: tuple[str, str, dict[str, object]],
    consumer: tuple[str, str],
    token: tuple[str, str] | None,
    callback: str | None,
    nonce: str,
    timestamp: int,
) -> None:
    method, url, kwargs = request
    verifier = None if token is None or callback is not None else "97e1c702e83a4f44"
    auth = OAuth1Auth(
        *consumer,
        *(token or (None, None)),
        callback=callback,
        verifier=verifier,
        nonce_factory=lambda: nonce,
        clock=lambda: timestamp + 0.5,
    )
    sent = capture(auth, lambda client: client.request(method, url, **kwargs))  # type: ignore[arg-type]
    expected = oauthlib_header(sent, consumer, token, callback, verifier, nonce, timestamp)
    assert sent.headers["Authorization"] == expected


def test_a_new_token_gets_a_new_signer() -> None:
    # the precomputed key must follow re-authorization: sign, install new keys, sign again
    auth = OAuth1Auth("c", "cs", "t1", "ts1", nonce_factory=lambda: "n", clock=lambda: 7)
    first = capture(auth, lambda client: client.get("https://h.test/x"))
    auth._install(auth.credentials.__class__("c", "cs", "t2", "ts2"))  # type: ignore[union-attr]
    second = capture(auth, lambda client: client.get("https://h.test/x"))
    assert first.headers["Authorization"] == oauthlib_header(
        first, ("c", "cs"), ("t1", "ts1"), None, None, "n", 7
    )
    assert second.headers["Authorization"] == oauthlib_header(
        second, ("c", "cs"), ("t2", "ts2"), None, None, "n", 7
    )
