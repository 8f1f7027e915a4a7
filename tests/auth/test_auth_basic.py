"""BasicAuth through the generated client, sync and async."""

from __future__ import annotations

import base64

import inexogy_client
import pytest
from auth_testkit import EMAIL, PASSWORD
from inexogy_auth import BasicAuth
from inexogy_client.api.metadata import get_meters
from pytest_httpserver import HTTPServer

EXPECTED = "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()


@pytest.mark.anyio
async def test_basic_header_sync_and_async(httpserver: HTTPServer) -> None:
    for _ in range(2):
        httpserver.expect_ordered_request(
            "/public/v1/meters", method="GET", headers={"Authorization": EXPECTED}
        ).respond_with_json([])
    auth = BasicAuth(EMAIL, PASSWORD)
    base_url = httpserver.url_for("/public/v1")
    with inexogy_client.Client(base_url=base_url, httpx_args={"auth": auth}) as client:
        assert get_meters.sync_detailed(client=client).parsed == []
    async with inexogy_client.Client(base_url=base_url, httpx_args={"auth": auth}) as client:
        assert (await get_meters.asyncio_detailed(client=client)).parsed == []
    httpserver.check()
    assert len(httpserver.log) == 2
    assert auth.email == EMAIL
