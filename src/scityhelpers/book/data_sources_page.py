"""The book's "Data sources" page, generated from ``data/manifest.yml``.

Every raw file with its publisher, licence, size and sha256, so a reader can fetch and verify
the bytes the book was made from. ``scity build`` writes ``book/data_sources.md`` before
Jupyter Book runs; the 日本語版 renders the same page in Japanese (``edition_ja``).
"""

from __future__ import annotations

import re
from pathlib import Path

from scityhelpers.paths import project_root
from scityhelpers.pipeline.fetch import atomic_write
from scityhelpers.pipeline.manifest import Source, load_manifest

DATA_SOURCES_PAGE = "book/data_sources.md"


def _size_text(n_bytes: int | None) -> str:
    """A raw file's size for a download label (``1.2 MB``)."""
    if not n_bytes:
        return "size not recorded"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} bytes"


def _official_page(homepage: str) -> str:
    """The manifest's homepage (a URL, maybe followed by a note) as a clickable link."""
    found = re.match(r"(https?://\S+)\s*(.*)", homepage)
    if not found:
        return homepage
    url, rest = found.groups()
    return f"[{url.split('://', 1)[1].rstrip('/')}]({url})" + (f" {rest}" if rest else "")


def _source_section(source: Source) -> list[str]:
    lines = [f"## {source.title}", "", f"`{source.id}` — {source.publisher}", ""]
    lines += [f"- **Licence:** {source.licence}"
              + (f" (<{source.licence_url}>)" if source.licence_url else "")]
    if source.homepage:
        lines.append(f"- **Official page:** {_official_page(source.homepage)}")
    if source.citation:
        lines.append(f"- **Cite as:** {source.citation}")
    lines.append(f"- **Tidy tables:** {', '.join(f'`{t}`' for t in source.tables)}")
    if source.caveats:
        lines.append(f"- **Caveats:** {' '.join(source.caveats.split())}")
    lines += ["", "| file | raw file | vintage | retrieved | rows | sha256 |",
              "|---|---|---|---|---|---|"]
    for raw in source.files:
        rows = "" if raw.rows is None else f"{raw.rows:,}"
        download = (f"[download ({_size_text(raw.bytes)})]({raw.url})"
                    if raw.url.startswith(("http://", "https://"))
                    else f"{raw.url} ({_size_text(raw.bytes)})")
        lines.append(f"| {raw.name} | {download} | {raw.vintage} | {raw.retrieved} | {rows} "
                     f"| `{raw.sha256[:16]}…` |")
    return [*lines, ""]


def data_sources_markdown() -> str:
    """Render the "Data sources" page from ``data/manifest.yml`` (deterministic).

    Official pages are links a reader can open; a raw file's link is labelled as a download
    with its size, because many endpoints start a (sometimes large) download rather than
    open a page.
    """
    sources = load_manifest()
    lines = [
        "# Data sources", "",
        "Generated from `data/manifest.yml` by `scity build`; do not edit by hand. Every raw "
        "file is checked against its sha256 before parsing (`scity data verify`). Each "
        "source's official page is linked; a \"download\" link fetches the raw file itself "
        "from the official endpoint (its size is given).", "",
        f"{len(sources)} sources, {sum(len(s.files) for s in sources.values())} raw files.", "",
    ]
    for source_id in sorted(sources):
        lines += _source_section(sources[source_id])
    return "\n".join(lines).rstrip() + "\n"


def write_data_sources_page() -> Path:
    """Write the data-sources page if its content changed (keeps Sphinx's cache warm)."""
    path = project_root() / DATA_SOURCES_PAGE
    text = data_sources_markdown()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write(path, [text.encode("utf-8")])
    return path
