"""Specific errors: each message says what happened and what to do next."""

from __future__ import annotations


class ScityError(Exception):
    """Base class of every error the project raises on purpose."""


class ManifestError(ScityError):
    """``data/manifest.yml`` is missing an entry or a field the code needs."""


class SnapshotChecksumError(ScityError):
    """A raw file's sha256 differs from the one recorded in the manifest."""

    def __init__(self, path: object, expected: str, found: str, hint: str) -> None:
        self.path, self.expected, self.found = path, expected, found
        super().__init__(
            f"checksum mismatch for {path}: expected sha256 {expected}, found {found}. {hint}"
        )


class SnapshotUnavailableError(ScityError):
    """No valid copy of a raw file could be had from snapshot, mirror or network."""


class FetchError(ScityError):
    """A download from an official endpoint failed after its retries."""


class IncompleteDownloadError(FetchError):
    """The server closed the connection before sending the announced number of bytes."""


class EmptyResponseError(FetchError):
    """The server answered 200 with an empty body."""


class SourceSchemaError(ScityError):
    """A raw file's layout is not what the parser knows (renamed/missing column, new code)."""


class RawFileCorruptError(ScityError):
    """A raw file cannot be read at all (truncated xlsx, undecodable csv, broken json)."""


class TidySchemaError(ScityError):
    """A tidy table failed its pandera schema."""


class StaleTidyError(ScityError):
    """A tidy table was built from raw files whose hashes no longer match the manifest."""


class TidyMissingError(ScityError):
    """A tidy table has not been built yet."""


class UnknownMunicipalityError(ScityError):
    """A municipality name could not be resolved to a code.

    Attributes:
        name: the name asked for.
        prefecture: the prefecture given with it, if any.
        candidates: the closest names (or, for the subclasses, the matching codes).
    """

    def __init__(self, name: str, prefecture: str | None, candidates: list[str]) -> None:
        where = f" in {prefecture}" if prefecture else ""
        near = ", ".join(candidates) if candidates else "none"
        self._describe(
            name, prefecture, candidates,
            f"unknown municipality {name!r}{where}; closest candidates: {near}. "
            "Check the spelling, or add the variant to "
            "src/scityhelpers/reference/resources/municipal_name_variants.csv with its source.",
        )

    def _describe(self, name: str, prefecture: str | None, candidates: list[str],
                  message: str) -> None:
        """Set the attributes every resolver error carries, and the message."""
        self.name, self.prefecture, self.candidates = name, prefecture, candidates
        ScityError.__init__(self, message)


class AmbiguousMunicipalityError(UnknownMunicipalityError):
    """A name matches several municipalities (add the prefecture, county or ``as_of``)."""

    def __init__(self, name: str, prefecture: str | None, candidates: list[str]) -> None:
        where = f" in {prefecture}" if prefecture else ""
        self._describe(
            name, prefecture, candidates,
            f"ambiguous municipality {name!r}{where}: it matches {len(candidates)} codes: "
            f"{'; '.join(candidates)}. Pass the prefecture (or the county in the name, or "
            "as_of for an old name) to choose one; a unit that was split has several "
            "successors, use its city's code instead.",
        )


class UnknownPrefectureError(UnknownMunicipalityError):
    """The ``prefecture`` argument is not one of the 47 prefectures."""

    def __init__(self, name: str, prefecture: str | None, candidates: list[str]) -> None:
        given = f" (given with {name!r})" if name else ""
        self._describe(
            name, prefecture, candidates,
            f"unknown prefecture {prefecture!r}{given}; closest: "
            f"{', '.join(candidates) or 'none'}. Use a name such as 東京都 or 東京, or a "
            "2-digit code such as 13.",
        )


class MunicipalityNotInForceError(UnknownMunicipalityError):
    """The name existed, but not on the ``as_of`` date asked for (merged, renamed, or later)."""

    def __init__(self, name: str, prefecture: str | None, as_of: object,
                 periods: list[str]) -> None:
        self.as_of = as_of
        self._describe(
            name, prefecture, periods,
            f"{name!r} was not a municipality name in force on {as_of}: "
            f"{'; '.join(periods)}. Give a date when the name was in force, or leave out "
            "as_of to map the name to today's unit.",
        )


class MissingMunicipalityNameError(UnknownMunicipalityError):
    """The name to resolve is missing (None, empty) or not text."""

    def __init__(self, name: object, prefecture: str | None) -> None:
        self._describe(
            str(name), prefecture, [],
            f"no municipality name to resolve (got {name!r}); pass the name as text, such "
            "as 'さいたま市'. In a frame, drop or fill the rows with a missing name first.",
        )


class UnresolvedMunicipalitiesError(UnknownMunicipalityError):
    """Several rows of a frame could not be resolved; ``failures`` lists every one."""

    def __init__(self, failures: list[tuple[object, str, str | None, str]]) -> None:
        self.failures = failures
        lines = "\n".join(f"  row {index!r}: {message}" for index, _, _, message in failures)
        self._describe(
            failures[0][1], failures[0][2], [],
            f"{len(failures)} row(s) could not be resolved to a municipal code:\n{lines}\n"
            "Fix the names, or add documented variants to "
            "src/scityhelpers/reference/resources/municipal_name_variants.csv.",
        )


class UnknownCountryError(ScityError):
    """A country name or code could not be resolved to ISO3."""


class ParameterError(ScityError):
    """A notebook parameter is unknown, of the wrong type, or outside the data's range."""


class ModelDataError(ScityError):
    """A model specification has too few usable rows or a rank-deficient design."""


class NotebookExecutionError(ScityError):
    """A notebook raised during execution; its previous executed copy is untouched."""


class BookBuildError(ScityError):
    """The book did not build, or a built page is missing, empty or lacks its glued values."""


class FactError(ScityError):
    """A chapter's facts record is incomplete, undeclared, or not of its declared kind."""


class NotebookUnreadableError(ScityError):
    """A chapter notebook is not notebook JSON (truncated, merge markers, hand edits)."""


class EditionError(ScityError):
    """The edition identifier is missing or malformed, or there is no built book to archive."""


class FigureDataError(ScityError):
    """A figure has no plotted data attached, so its download would be empty."""


class OutputPathError(ScityError):
    """``--out`` names a place the executed notebooks cannot be written to."""


class RunLockedError(ScityError):
    """Another ``scity run`` is executing in the same project."""


class TidyCorruptError(ScityError):
    """A tidy table's bytes differ from the content hash recorded when it was built."""


class TranslationError(ScityError):
    """A translation's hash cannot be recorded: the translation does not exist."""


class PdfError(ScityError):
    """A PDF edition could not be made (no Chromium, a failed build, an empty print)."""


class NotebookTextError(ScityError):
    """A notebook's text twin (``notebooks/<chapter>.py``) is missing or disagrees with it."""


class BenchmarkStepError(ScityError):
    """A command timed by ``scity bench`` failed; the message holds the end of its output."""
