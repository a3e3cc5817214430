"""``scity``: pull and verify data, run chapters, build the book, benchmark."""

from __future__ import annotations

import ast
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from scityhelpers.errors import ScityError

app = typer.Typer(help="scity: a reproducible data book on Japan's smart cities.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Raw snapshots and tidy tables.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console(stderr=True)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False)])


def _fail(error: ScityError) -> None:
    console.print(f"[bold red]error:[/] {error}")
    raise typer.Exit(code=2)


@data_app.command("pull")
def data_pull(
    sources: Annotated[list[str] | None, typer.Argument(help="source ids (default: all)")] = None,
    offline: Annotated[bool, typer.Option(help="never use the network")] = False,
    force: Annotated[bool, typer.Option(help="rebuild tidy tables even if current")] = False,
) -> None:
    """Fetch raw files (snapshot → mirror → network), verify sha256, build tidy tables."""
    from scityhelpers.datasets import pull_all

    try:
        results = pull_all(sources=sources or None, offline=offline, force=force, progress=True)
    except ScityError as error:
        _fail(error)
    origins: dict[str, int] = {}
    for result in results:
        origins[result.origin] = origins.get(result.origin, 0) + 1
    console.print(f"pulled {len(results)} raw files ("
                  + ", ".join(f"{n} from {o}" for o, n in sorted(origins.items()))
                  + "); tidy tables are current.")


@data_app.command("verify")
def data_verify() -> None:
    """Re-hash every raw and reference file; exit non-zero on any mismatch."""
    from scityhelpers.snapshot import verify_all

    problems = verify_all()
    for problem in problems:
        console.print(f"[red]✗[/] {problem.message()}")
    if problems:
        raise typer.Exit(code=1)
    console.print("all raw and reference files match data/manifest.yml")


@data_app.command("list")
def data_list() -> None:
    """Print each source with its vintage, tidy rows and licence."""
    from scityhelpers.datasets import summarize

    table = Table("source", "vintage", "tidy tables (rows)", "licence", show_lines=False)
    for item in summarize():
        rows = ", ".join(f"{t} ({'not built' if n is None else f'{n:,}'})"
                         for t, n in item.tables.items())
        table.add_row(item.source_id, item.vintage, rows, item.licence)
    Console(width=200).print(table)


@data_app.command("refresh")
def data_refresh(source: Annotated[str, typer.Argument(help="source id")]) -> None:
    """Download a source anew and adopt it as a new vintage (the old snapshot is kept)."""
    from scityhelpers.datasets import refresh

    try:
        paths = refresh(source)
    except ScityError as error:
        _fail(error)
    for name, path in paths.items():
        console.print(f"new vintage of {source}/{name}: {path}")


def _parse_overrides(pairs: list[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected name=value, got {pair!r}")
        try:
            overrides[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            overrides[name] = text
    return overrides


@app.command("run")
def run(
    year: Annotated[int | None, typer.Option(help="year for every chapter that has one")] = None,
    param: Annotated[list[str] | None, typer.Option("-p", "--param",
                                                    help="name=value, repeatable")] = None,
    only: Annotated[list[str] | None, typer.Option(help="chapter(s) to run")] = None,
    jobs: Annotated[int | None, typer.Option(help="parallel notebooks (default: cores)")] = None,
    out: Annotated[Path | None, typer.Option(help="write here; leave the record alone")] = None,
    force: Annotated[bool, typer.Option(help="execute even if inputs are unchanged")] = False,
) -> None:
    """Execute chapter notebooks with papermill (in place by default), then report changes."""
    from scityhelpers import book
    from scityhelpers.chapters import CHAPTERS
    from scityhelpers.runner import run_chapters

    before = book.baseline_edition() or book.edition_state()
    try:
        results = run_chapters(list(only or CHAPTERS), _parse_overrides(param or []), year=year,
                               out_dir=out, jobs=jobs, force=force, progress=True)
    except ScityError as error:
        _fail(error)
    for plan, status in results:
        console.print(f"{status:>9}  {plan.chapter.name}  {plan.parameters}")
    if out is None:
        path, changes = book.write_change_report(before)
        for change in changes:
            console.print(f"  {change.kind:>7}  {change.chapter}::{change.name}: "
                          f"{change.before} → {change.after}")
        console.print(f"{len(changes)} change(s) beyond the stated precision; report: {path}")


@app.command("build")
def build_book(clean: Annotated[bool, typer.Option(help="remove the old HTML first")] = False,
               ) -> None:
    """Build the HTML book into _build/html (warnings are errors) and check every page."""
    from scityhelpers.book import build

    try:
        index = build(clean=clean)
    except ScityError as error:
        _fail(error)
    console.print(f"built {index}")


@app.command("edition")
def edition() -> None:
    """Pack the built edition (HTML, data bundles, claims ledger, facts) into one zip + sha256."""
    from scityhelpers.edition import build_edition_archive

    try:
        path, digest = build_edition_archive()
    except ScityError as error:
        _fail(error)
    console.print(f"edition archive {path} ({path.stat().st_size:,} bytes)\nsha256 {digest}")


@app.command("bench")
def bench() -> None:
    """Measure cold run+build, no-op rebuild, one-parameter rerun, naive build, peak RSS."""
    from scityhelpers.bench import run_benchmark

    run_benchmark(console)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m scityhelpers.cli``."""
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
