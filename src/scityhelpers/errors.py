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


class UnknownMunicipalityError(ScityError):
    """A municipality name could not be resolved to a code."""

    def __init__(self, name: str, prefecture: str | None, candidates: list[str]) -> None:
        self.name, self.prefecture, self.candidates = name, prefecture, candidates
        where = f" in {prefecture}" if prefecture else ""
        near = ", ".join(candidates) if candidates else "none"
        super().__init__(
            f"unknown municipality {name!r}{where}; closest candidates: {near}. "
            "Check the spelling, or add the variant to "
            "src/scityhelpers/resources/municipal_name_variants.csv with its source."
        )


class UnknownCountryError(ScityError):
    """A country name or code could not be resolved to ISO3."""


class ParameterError(ScityError):
    """A notebook parameter is unknown, of the wrong type, or outside the data's range."""


class ModelDataError(ScityError):
    """A model specification has too few usable rows or a rank-deficient design."""
