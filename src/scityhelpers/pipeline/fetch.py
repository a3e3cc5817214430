"""Downloads from official endpoints: timeouts, retries with backoff, atomic writes."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from scityhelpers.errors import EmptyResponseError, FetchError, IncompleteDownloadError

if TYPE_CHECKING:  # imported by the functions that go online: every command writes files
    import requests  # through this module (atomic_write), few of them download

log = logging.getLogger(__name__)

USER_AGENT = "scity-data-book/0.1 (+https://github.com/scity-book/scity)"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0
RETRIES = 4
BACKOFF_S = 1.0
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
CHUNK_BYTES = 1 << 16


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def publish_temp_file(tmp: Path, dest: Path) -> None:
    """Rename a finished temp file over ``dest`` with normal permissions.

    ``mkstemp`` creates files readable by their owner only (0600); the published file gets
    what the user's umask gives any new file.
    """
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, dest)


def atomic_write(dest: Path, chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``dest`` via a temporary file in the same folder and a rename.

    A reader never sees a half-written file and an interrupted write leaves ``dest`` as it
    was. Returns the number of bytes written.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        publish_temp_file(tmp, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return written


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` unless it already holds the same bytes; True if copied.

    An unchanged target keeps its modification time, so incremental builds (Sphinx) and
    checksums keyed on it do not see a change that is not there. A changed one is replaced
    whole (a copy beside it, then a rename): a reader never sees half a file.
    """
    if (target.is_file() and target.stat().st_size == source.stat().st_size
            and target.read_bytes() == source.read_bytes()):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copy2(source, partial)
    os.replace(partial, target)
    return True


def made_from(target: Path, stamp: Path, inputs: str) -> bool:
    """Whether ``target`` exists and ``stamp`` records that it was made from ``inputs``.

    ``inputs``: a digest of everything the target is made from; the stamp is written by
    :func:`write_made_from` (or, for a whole site, by its build) after the target.
    """
    return target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == inputs


def write_made_from(target: Path, chunks: Iterable[bytes], stamp: Path, inputs: str) -> None:
    """Replace ``target`` with ``chunks``, then record in ``stamp`` that it came from ``inputs``.

    The old stamp goes first: a failure in between leaves none, so the next build makes the
    target again rather than trusting a half-finished one.
    """
    stamp.unlink(missing_ok=True)
    atomic_write(target, chunks)
    atomic_write(stamp, [inputs.encode("utf-8")])


def _retry_delay(attempt: int, response: requests.Response | None, backoff_s: float) -> float:
    """Seconds to wait before the next attempt: Retry-After if given, else exponential."""
    if response is not None and response.headers.get("Retry-After", "").isdigit():
        return float(response.headers["Retry-After"])
    return backoff_s * (2**attempt)


def _host_unknown(error: Exception) -> bool:
    """True when the host name could not be resolved (no network, or a wrong host)."""
    text = str(error)
    return "NameResolutionError" in text or "Name or service not known" in text


def _truncated(url: str, received: int, announced: str | None) -> IncompleteDownloadError:
    return IncompleteDownloadError(
        f"{url}: received {received} of {announced or 'unknown'} announced bytes (truncated "
        "download); nothing was written. Try again later or use the offline mirror "
        "(SCITY_MIRROR)."
    )


def _stream_body(response: requests.Response, url: str) -> list[bytes]:
    """Read the whole body, checking it against Content-Length and for emptiness."""
    import requests

    announced = response.headers.get("Content-Length")
    chunks: list[bytes] = []
    try:
        chunks.extend(c for c in response.iter_content(CHUNK_BYTES) if c)
    except requests.exceptions.ChunkedEncodingError as error:
        raise _truncated(url, sum(len(c) for c in chunks), announced) from error
    received = sum(len(c) for c in chunks)
    if announced is not None and announced.isdigit() and received < int(announced):
        raise _truncated(url, received, announced)
    if received == 0:
        raise EmptyResponseError(
            f"{url}: the server answered {response.status_code} with an empty body; nothing was "
            "written. The endpoint may have moved: check the source's official page."
        )
    return chunks


def download(
    url: str,
    dest: Path,
    *,
    session: requests.Session | None = None,
    params: dict[str, str] | None = None,
    retries: int = RETRIES,
    backoff_s: float = BACKOFF_S,
    timeout_s: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
    sleep: Callable[[float], None] | None = None,
) -> Path:
    """Download ``url`` to ``dest`` atomically, retrying transient failures.

    Retries connection errors, timeouts, truncated bodies, HTTP 429 and 5xx with exponential
    backoff (``backoff_s`` × 2^attempt seconds, or the server's Retry-After). Other HTTP
    errors fail at once. ``dest`` is only replaced by a complete, non-empty body.

    Raises:
        FetchError: after the last attempt, naming the URL, the attempts and the last cause.
    """
    import requests

    session = session or requests.Session()
    last_error: Exception | None = None
    for attempt in range(retries + 1):
        response: requests.Response | None = None
        try:
            response = session.get(
                url, params=params, timeout=timeout_s, stream=True,
                headers={"User-Agent": USER_AGENT},
            )
            if response.status_code in RETRY_STATUS:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            if response.status_code >= 400:
                raise FetchError(
                    f"{url}: HTTP {response.status_code} (not retried); the endpoint refused the "
                    "request — check the URL in data/manifest.yml against the official page."
                )
            atomic_write(dest, _stream_body(response, url))
            return dest
        except EmptyResponseError:
            raise
        except (requests.ConnectionError, requests.Timeout, IncompleteDownloadError) as error:
            last_error = error
            if _host_unknown(error):
                break  # no DNS answer: this machine is offline; retrying cannot help
        except FetchError as error:
            if "not retried" in str(error):
                raise
            last_error = error
        if attempt < retries:
            delay = _retry_delay(attempt, response, backoff_s)
            log.warning("attempt %d/%d for %s failed (%s); retrying in %.1f s",
                        attempt + 1, retries + 1, url, last_error, delay)
            (sleep or time.sleep)(delay)
    attempts = attempt + 1
    raise FetchError(
        f"could not download {url} after {attempts} attempt(s); last error: {last_error}. "
        "Nothing was written. Check your connection, or point SCITY_MIRROR at an offline mirror."
    ) from last_error
