"""The downloader, replayed with ``responses``: success and every failure it must survive."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses

from scityhelpers.errors import EmptyResponseError, FetchError
from scityhelpers.pipeline.fetch import download

URL = "https://sdmx.oecd.org/public/rest/data/OECD.ELS.SAE,DSD_EARNINGS@AV_AN_WAGE,1.0/all"


@pytest.fixture
def body(fixtures: Path) -> bytes:
    return (fixtures / "oecd_wages" / "sdmx_labels_excerpt.csv").read_bytes()


def no_sleep(_: float) -> None:
    return None


@responses.activate
def test_download_writes_the_body(tmp_path: Path, body: bytes) -> None:
    responses.get(URL, body=body)
    dest = download(URL, tmp_path / "wages.csv", sleep=no_sleep)
    assert dest.read_bytes() == body


@responses.activate
def test_http_500_is_retried_then_succeeds(tmp_path: Path, body: bytes) -> None:
    responses.get(URL, status=500)
    responses.get(URL, status=503)
    responses.get(URL, body=body)
    waits: list[float] = []
    download(URL, tmp_path / "wages.csv", sleep=waits.append, backoff_s=0.5)
    assert waits == [0.5, 1.0]  # exponential backoff


@responses.activate
def test_http_429_honours_retry_after(tmp_path: Path, body: bytes) -> None:
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, body=body)
    waits: list[float] = []
    download(URL, tmp_path / "wages.csv", sleep=waits.append)
    assert waits == [7.0]


@responses.activate
def test_persistent_500_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    for _ in range(3):
        responses.get(URL, status=500)
    dest = tmp_path / "wages.csv"
    with pytest.raises(FetchError, match=r"after 3 attempt\(s\).*HTTP 500"):
        download(URL, dest, retries=2, sleep=no_sleep)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary leftovers


@responses.activate
def test_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    responses.get(URL, body=requests.exceptions.ConnectTimeout("timed out"))
    responses.get(URL, body=requests.exceptions.ReadTimeout("timed out"))
    with pytest.raises(FetchError, match="timed out"):
        download(URL, tmp_path / "x.csv", retries=1, sleep=no_sleep)


@responses.activate
def test_network_down_is_reported_without_pointless_retries(tmp_path: Path) -> None:
    for _ in range(4):
        responses.get(URL, body=requests.exceptions.ConnectionError("Name or service not known"))
    with pytest.raises(FetchError, match=r"after 1 attempt\(s\).*SCITY_MIRROR"):
        download(URL, tmp_path / "x.csv", retries=3, sleep=no_sleep)
    assert len(responses.calls) == 1


@responses.activate
def test_refused_connection_is_retried(tmp_path: Path, body: bytes) -> None:
    responses.get(URL, body=requests.exceptions.ConnectionError("Connection refused"))
    responses.get(URL, body=body)
    download(URL, tmp_path / "x.csv", retries=1, sleep=no_sleep)
    assert len(responses.calls) == 2


@responses.activate
def test_truncated_body_is_not_written(tmp_path: Path, body: bytes) -> None:
    dest = tmp_path / "wages.csv"
    dest.write_bytes(b"previous good snapshot")
    for _ in range(2):
        responses.get(URL, body=body[:100], headers={"Content-Length": str(len(body))},
                      auto_calculate_content_length=False)
    with pytest.raises(FetchError, match="truncated"):
        download(URL, dest, retries=1, sleep=no_sleep)
    assert dest.read_bytes() == b"previous good snapshot"


@responses.activate
def test_empty_body_fails_without_retry(tmp_path: Path) -> None:
    responses.get(URL, body=b"")
    with pytest.raises(EmptyResponseError, match="empty body"):
        download(URL, tmp_path / "x.csv", sleep=no_sleep)
    assert len(responses.calls) == 1


@responses.activate
def test_http_404_is_not_retried(tmp_path: Path) -> None:
    responses.get(URL, status=404)
    with pytest.raises(FetchError, match="404"):
        download(URL, tmp_path / "x.csv", sleep=no_sleep)
    assert len(responses.calls) == 1
