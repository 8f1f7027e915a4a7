"""The simulator verifies exactly what oauthlib's own verification verifies.

For random requests (method, URL, query, form body, keys), signed by oauthlib's ``Client`` and
then possibly altered (another signature, query, body, method, secret), the simulator's check
accepts a request if and only if oauthlib's ``verify_hmac_sha1`` over oauthlib's
``collect_parameters`` of the same request does.
"""

from __future__ import annotations

import re
import types
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inexogy_mock.oauth import OAuthProvider, SignedRequest, _parsed_header
from inexogy_mock.texts import ServiceError
from oauthlib import oauth1
from oauthlib.oauth1.rfc5849 import signature

FORM = "application/x-www-form-urlencoded"
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
names = st.one_of(st.sampled_from(["a", "from", "fields", "oauth_extra"]), text)
keys = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=6)


def oauthlib_verifies(request: SignedRequest, client_secret: str, token_secret: str) -> bool:
    """oauthlib's verification of a request it can parse (False when it refuses the request)."""
    url, _, query = request.url.partition("?")
    try:
        params = signature.collect_parameters(
            uri_query=query,
            body=request.form_body or None,
            headers={"Authorization": request.authorization},
        )
        signed = dict(oauth1.rfc5849.utils.parse_authorization_header(request.authorization))
        checked = types.SimpleNamespace(
            params=params,
            uri=url,
            http_method=request.method,
            signature=oauth1.rfc5849.utils.unescape(signed["oauth_signature"]),
        )
        return bool(signature.verify_hmac_sha1(checked, client_secret, token_secret))
    except ValueError:
        return False


def simulator_verifies(request: SignedRequest, client_secret: str, token_secret: str) -> bool:
    params = dict(oauth1.rfc5849.utils.parse_authorization_header(request.authorization))
    params = {k: oauth1.rfc5849.utils.unescape(v) for k, v in params.items()}
    try:
        OAuthProvider._check_signature(request, params, client_secret, token_secret)
    except ServiceError as error:
        if error.status != 401:
            raise
        return False
    return True


@st.composite
def signed_requests(draw: st.DrawFn) -> tuple[SignedRequest, str, str]:
    method = draw(st.sampled_from(["GET", "POST", "DELETE"]))
    query = urlencode(draw(st.lists(st.tuples(names, text), max_size=4)))
    url = (
        "http://127.0.0.1:8080/public/v1/"
        + quote(draw(text), safe="")
        + (f"?{query}" if query else "")
    )
    form = urlencode(draw(st.lists(st.tuples(names, text), max_size=3))) if method == "POST" else ""
    client_secret, token_secret = draw(text), draw(text)
    # usual keys give a header of unreserved values only (signed as they are); others are
    # escaped in the header and unescaped again for the signature
    client = oauth1.Client(
        draw(st.one_of(st.just("consumer"), keys)),
        client_secret=client_secret,
        resource_owner_key=draw(st.one_of(st.just("token"), keys)),
        resource_owner_secret=token_secret,
        verifier=draw(st.one_of(st.none(), st.just("v3rifier"), keys)),
        # a realm goes into the header raw: with a comma, the header is oauthlib's to split
        realm=draw(st.one_of(st.none(), st.text("ab c/:=,~%", max_size=6))),
    )
    headers = {"Content-Type": FORM} if form else {}
    _, signed, _ = client.sign(url, method, form or None, headers)
    request = SignedRequest(method, url, signed["Authorization"], form or None)
    change = draw(st.sampled_from(["none", "query", "form", "method", "secret", "signature"]))
    if change == "query":
        request = SignedRequest(
            method,
            url + ("&" if "?" in url else "?") + "x=1",
            request.authorization,
            request.form_body,
        )
    elif change == "form" and form:
        request = SignedRequest(method, url, request.authorization, form + "&x=1")
    elif change == "method":
        request = SignedRequest("PUT", url, request.authorization, request.form_body)
    elif change == "secret":
        client_secret += "x"
    elif change == "signature":
        authorization = re.sub(
            r'oauth_signature="[^"]*"', 'oauth_signature="AAAA"', request.authorization
        )
        request = SignedRequest(method, url, authorization, request.form_body)
    return request, client_secret, token_secret


@settings(max_examples=300, deadline=None)
@given(case=signed_requests())
def test_the_simulator_accepts_exactly_what_oauthlib_accepts(
    case: tuple[SignedRequest, str, str],
) -> None:
    request, client_secret, token_secret = case
    assert simulator_verifies(request, client_secret, token_secret) == oauthlib_verifies(
        request, client_secret, token_secret
    )


@pytest.mark.parametrize("raw", ["email=%zz", "email=a[]|^{}`"])
def test_queries_oauthlib_refuses_are_verified_over_their_decoded_parameters(raw: str) -> None:
    # oauthlib refuses these raw; the simulator verifies them over the parameters a server
    # decodes ("%zz", "a[]|^{}`"), i.e. the signature oauthlib makes for the escaped query
    escaped = raw.replace("%zz", "%25zz").replace("[]|^{}`", "%5B%5D%7C%5E%7B%7D%60")
    client = oauth1.Client(
        "consumer", client_secret="cs", resource_owner_key="t", resource_owner_secret="ts"
    )
    base = "http://127.0.0.1:8080/public/v1/website_access_code?"
    _, signed, _ = client.sign(base + escaped)
    request = SignedRequest("GET", base + raw, signed["Authorization"], None)
    assert not oauthlib_verifies(request, "cs", "ts")  # oauthlib cannot even parse it
    assert simulator_verifies(request, "cs", "ts")
    assert not simulator_verifies(request, "cs", "other")


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("oauth_extra=%2541&a=%20&b", None),  # oauth_* values are unescaped once more
        ("a=1&oauth_signature=x", "oauth_extra=%252F&c=%7E&d="),
        ("realm=r&a=+", "realm=x"),  # realm is dropped from the header only
    ],
)
def test_oauthlibs_parameter_rules_are_kept(query: str, form: str | None) -> None:
    client = oauth1.Client(
        "consumer",
        client_secret="c s",
        resource_owner_key="t",
        resource_owner_secret="t/s",
        realm="photos",
    )
    url = "http://127.0.0.1:8080/public/v1/x?" + query
    headers = {"Content-Type": FORM} if form else {}
    _, signed, _ = client.sign(url, "POST", form, headers)
    request = SignedRequest("POST", url, signed["Authorization"], form)
    assert oauthlib_verifies(request, "c s", "t/s")
    assert simulator_verifies(request, "c s", "t/s")


header_texts = st.one_of(
    st.text('OAuth a="b",c=\\ ,x"\t', max_size=30).map(lambda text: "OAuth " + text),
    # no backslash: what the simulator splits itself (odd quotes, empty parts, "=" in names)
    st.tuples(
        st.sampled_from(["OAuth ", "oauth ", "oAuTH ", "OAuth", "Basic "]),
        st.text('a="b,= \t', max_size=30),
    ).map("".join),
    st.lists(st.tuples(st.text('ab_=", \\', min_size=0, max_size=4), text), max_size=4).map(
        lambda pairs: "oauth " + ", ".join(f'{name}="{value}"' for name, value in pairs)
    ),
)


@settings(max_examples=400, deadline=None)
@given(header=header_texts)
def test_the_header_is_parsed_as_oauthlib_parses_it(header: str) -> None:
    try:
        expected: object = dict(oauth1.rfc5849.utils.parse_authorization_header(header))
    except ValueError:
        expected = ValueError
    try:
        parsed: object = dict(_parsed_header(header))
    except ValueError:
        parsed = ValueError
    assert parsed == expected
