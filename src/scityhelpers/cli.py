"""``scity``: pull and verify data, run chapters, build the book, benchmark."""

from __future__ import annotations

import ast
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from scityhelpers.errors import ScityError
from scityhelpers.process import run_as_batch

app = typer.Typer(help="scity: a reproducible data book on Japan's smart cities.",
                  no_args_is_help=True, pretty_exceptions_enable=False,
                  # usage errors in a rich box are wrapped at 80 columns when piped
                  rich_markup_mode="rich" if sys.stderr.isatty() else None)
data_app = typer.Typer(help="Raw snapshots and tidy tables.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console(stderr=True)
#: set by ``--verbose``: show the Python traceback of an error, not only its message
_VERBOSE = {"on": False}
F = TypeVar("F", bound=Callable[..., Any])


def say(message: str) -> None:
    """Print a message; on a terminal it wraps, piped to a file it stays one unbroken line.

    Rich wraps at 80 columns when the output is not a terminal, which splits repair
    commands mid-word in a log file.
    """
    console.print(message, soft_wrap=not console.is_terminal, highlight=False)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="log progress and show tracebacks of errors")] = False) -> None:
    _VERBOSE["on"] = verbose
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_path=False)
    else:  # plain lines, never wrapped
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(message)s", handlers=[handler], force=True)


def _fail(error: ScityError) -> None:
    say(f"[bold red]error:[/] {escape(str(error))}")
    raise typer.Exit(code=2)


def _unexpected(error: BaseException) -> str:
    """One message for an error the code did not raise on purpose (a bug or the system)."""
    if isinstance(error, PermissionError):
        return (f"permission denied: {error.filename}; check who owns it, or choose "
                "another place.")
    if isinstance(error, FileNotFoundError) and error.filename is None:
        return str(error)  # project_root(): the message already says what to do
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror or error}{where}; nothing was changed by the failed step."
    return (f"unexpected {type(error).__name__}: {error}. Rerun with `scity --verbose ...` "
            "for the traceback and report it.")


def guarded(command: F) -> F:
    """Turn every error of a command into one message and exit code 2.

    ``ScityError`` messages already say what happened and what to do; other exceptions get
    a short description. ``--verbose`` shows the traceback too. Ctrl-C exits 130 with
    "interrupted; nothing changed" (each step publishes its results atomically).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt as interrupt:
            finished = getattr(interrupt, "finished", [])
            say("interrupted; nothing changed" if not finished else
                f"interrupted; kept the chapters that had finished ({', '.join(finished)}); "
                "nothing else changed")
            raise typer.Exit(code=130) from None
        except ScityError as error:
            if _VERBOSE["on"]:
                console.print_exception()
            _fail(error)
        except Exception as error:  # noqa: BLE001 - the last line of defence of a CLI
            if _VERBOSE["on"]:
                console.print_exception()
            say(f"[bold red]error:[/] {escape(_unexpected(error))}")
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


@data_app.command("pull")
@guarded
def data_pull(
    sources: Annotated[list[str] | None, typer.Argument(help="source ids (default: all)")] = None,
    offline: Annotated[bool, typer.Option(help="never use the network")] = False,
    force: Annotated[bool, typer.Option(help="rebuild tidy tables even if current")] = False,
) -> None:
    """Fetch raw files (snapshot → mirror → network), verify sha256, build tidy tables."""
    from scityhelpers.pipeline.data_verbs import pull_all

    try:
        results = pull_all(sources=sources or None, offline=offline, force=force,
                           progress=console.is_terminal)
    except ScityError as error:
        _fail(error)
    origins: dict[str, int] = {}
    for result in results:
        origins[result.origin] = origins.get(result.origin, 0) + 1
    say(f"pulled {len(results)} raw files ("
                  + ", ".join(f"{n} from {o}" for o, n in sorted(origins.items()))
                  + "); tidy tables are current.")


@data_app.command("verify")
@guarded
def data_verify() -> None:
    """Re-hash every raw and reference file and every tidy table; exit 1 on any mismatch."""
    from scityhelpers.pipeline.snapshot import verify_all
    from scityhelpers.pipeline.tidy import verify_tables

    problems = [p.message() for p in verify_all()] + [p.message() for p in verify_tables()]
    for problem in problems:
        say(f"[red]✗[/] {escape(problem)}")
    if problems:
        raise typer.Exit(code=1)
    say("all raw and reference files match data/manifest.yml; every tidy table matches the "
        "content hash recorded when it was built")


@data_app.command("list")
@guarded
def data_list() -> None:
    """Print each source with its vintage, tidy rows and licence."""
    from scityhelpers.pipeline.data_verbs import summarize

    table = Table("source", "vintage", "tidy tables (rows)", "licence", show_lines=False)
    for item in summarize():
        rows = ", ".join(f"{t} ({'not built' if n is None else f'{n:,}'})"
                         for t, n in item.tables.items())
        table.add_row(item.source_id, item.vintage, rows, item.licence)
    Console(width=200).print(table)


@data_app.command("refresh")
@guarded
def data_refresh(source: Annotated[str, typer.Argument(help="source id")]) -> None:
    """Download a source anew and adopt it as a new vintage (the old snapshot is kept)."""
    from scityhelpers.pipeline.data_verbs import refresh

    try:
        paths = refresh(source)
    except ScityError as error:
        _fail(error)
    for name, path in paths.items():
        say(f"new vintage of {source}/{name}: {path}")


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
@guarded
def run(
    year: Annotated[int | None, typer.Option(help="year for every chapter that has one")] = None,
    param: Annotated[list[str] | None, typer.Option("-p", "--param",
                                                    help="name=value, repeatable")] = None,
    only: Annotated[list[str] | None, typer.Option(help="chapter(s) to run")] = None,
    jobs: Annotated[int | None, typer.Option(min=1,
                                             help="parallel notebooks, ≥ 1 (default: cores)")
                    ] = None,
    out: Annotated[Path | None, typer.Option(
        help="folder to write the executed notebooks to; the record is left alone")] = None,
    force: Annotated[bool, typer.Option(help="execute even if inputs are unchanged")] = False,
) -> None:
    """Execute chapter notebooks with papermill (in place by default), then report changes."""
    from scityhelpers.book import change_report
    from scityhelpers.book.run_lock import prepare_out_dir, run_lock
    from scityhelpers.book.runner import run_chapters
    from scityhelpers.chapters.registry import CHAPTERS
    from scityhelpers.paths import project_root

    root = project_root()
    overrides = _parse_overrides(param or [])
    with run_lock(root):
        if out is not None:
            out, inside = prepare_out_dir(out, root)
            say(f"writing executed notebooks to {out}"
                + ("" if inside else f" (outside the project {root})"))
        before = change_report.baseline_edition() or change_report.edition_state()
        results = run_chapters(list(only or CHAPTERS), overrides, year=year,
                               out_dir=out, jobs=jobs, force=force,
                               progress=console.is_terminal)
        _report_run(results, out is None, before)


def _report_run(results: list, in_place: bool, before: dict) -> None:
    from scityhelpers.book import change_report

    for plan, status in results:
        say(f"{status:>9}  {plan.chapter.name}  {escape(str(plan.parameters))}")
    if in_place:
        path, changes = change_report.write_change_report(before)
        for change in changes:
            say(escape(f"  {change.kind:>7}  {change.chapter}::{change.name}: "
                       f"{change.before} → {change.after}"))
        say(f"{len(changes)} change(s) beyond the stated precision; report: {path}")


@app.command("notebook-text")
@guarded
def notebook_text(chapters: Annotated[list[str], typer.Argument(
        help="chapter(s) whose notebook was edited directly, e.g. wages")]) -> None:
    """Write notebooks/<chapter>.py from the notebook's cells (after editing the .ipynb)."""
    from scityhelpers.book.notebook_text import write_twin
    from scityhelpers.chapters.registry import get_chapter

    for name in chapters:
        say(f"wrote {write_twin(get_chapter(name).notebook)}")


@app.command("build")
@guarded
def build_book(clean: Annotated[bool, typer.Option(
        help="full rebuild: discard Sphinx's cache first (the published site stays until "
             "the new one passes)")] = False,
               ) -> None:
    """Build the book in staging, check every page, then publish it to _build/html.

    Warnings are errors. On any failure the previous site stays as it was.
    """
    from scityhelpers.book.build import build

    index = build(clean=clean)
    say(f"built {index}")


@app.command("edition")
@guarded
def edition() -> None:
    """Pack the built edition (HTML, data bundles, claims ledger, facts) into one zip + sha256."""
    from scityhelpers.book.edition import build_edition_archive

    path, digest = build_edition_archive()
    say(f"edition archive {path} ({path.stat().st_size:,} bytes)\nsha256 {digest}")


@app.command("pdf")
def pdf() -> None:
    """Print both editions to _build/pdf/scity-{en,ja}.pdf and link them from the site."""
    from scityhelpers.book.pdf import build_pdfs

    try:
        for language, path in build_pdfs().items():
            console.print(f"{language}: {path}")
    except ScityError as error:
        _fail(error)


@app.command("translation-hash")
def translation_hash(pages: Annotated[list[str], typer.Argument(
        help="page stem(s), e.g. wages; notebooks/<chapter>[/<cell id>] for narrative cells")],
                     ) -> None:
    """Record that book/ja/<page>.md now translates the current book/<page>.md (its sha256)."""
    from scityhelpers.book.edition_ja import record_hash
    from scityhelpers.book.notebooks_ja import record_cell_hashes

    try:
        for page in pages:
            if page.startswith("notebooks/"):
                _, chapter, *cell = page.split("/")
                done = record_cell_hashes(chapter, cell or None)
                console.print(f"book/ja/notebooks/{chapter}.yml ← {len(done)} cell(s)")
                continue
            console.print(f"book/ja/{page}.md ← book/{page}.md {record_hash(page)[:12]}…")
    except ScityError as error:
        _fail(error)


@app.command("translation-check")
def translation_check() -> None:
    """List Japanese pages that are missing, out of date or glue other keys (exit 1 if any)."""
    from scityhelpers.book.edition_ja import translation_problems

    problems = translation_problems()
    for problem in problems:
        console.print(f"{problem.page}: {problem.problem}")
    if problems:
        raise typer.Exit(1)
    console.print("the Japanese edition is in step with the English")


@app.command("bench")
@guarded
def bench() -> None:
    """Measure cold run+build, no-op rebuild, one-parameter rerun, naive build, peak RSS."""
    from scityhelpers.book.bench import run_benchmark

    run_benchmark(console)


def main() -> None:  # pragma: no cover - console entry point
    """The ``scity`` command (and ``python -m scityhelpers.cli``): run it, then exit at once.

    It runs as a batch process (:mod:`scityhelpers.process`): the garbage collector's passes
    are rarer. Every result is on disk by then (files are written whole and renamed into
    place, child processes joined), so the interpreter's teardown, a third of a second of
    freeing pandas, Sphinx and friends' modules, is skipped: exit handlers run, the streams
    are flushed, and the process ends with the command's exit code.
    """
    run_as_batch(app)


if __name__ == "__main__":  # pragma: no cover
    main()
