"""IPSS municipal population projections, by edition.

The 2018 edition (2015–2045) is always available from the offline mirror. The 2023 edition
(2020–2050, the one the briefing relies on) exists only once ``scity data pull
ipss_projections_2023`` has run online; chapters take the edition as a parameter and ask
:func:`available_editions` which ones they can use, so they never fail offline and never
silently mix editions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scityhelpers.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

#: edition → tidy table holding it (columns as ``ipss_projections.PROJECTION_COLUMNS``)
EDITION_TABLES = {2018: "municipal_projection", 2023: "municipal_projection_2023"}


def available_editions() -> list[int]:
    """Return the editions whose table is built and current, oldest first."""
    # the tidy module (pandas, pandera) where it is used: the site's build reads only
    # EDITION_TABLES, to tell whether explorer.js is up to date
    from scityhelpers.pipeline.tidy import is_current

    return [edition for edition, table in sorted(EDITION_TABLES.items()) if is_current(table)]


def load_projection(edition: int) -> pd.DataFrame:
    """Return one edition's municipal projection (persons by today's ``code5`` and year).

    Raises:
        ParameterError: the edition is unknown or its table is not built (for 2023: run
            ``scity data pull ipss_projections_2023`` with network access).
    """
    if edition not in EDITION_TABLES:
        raise ParameterError(
            f"unknown IPSS projection edition {edition!r}; known: {sorted(EDITION_TABLES)}"
        )
    if edition not in available_editions():
        raise ParameterError(
            f"the IPSS {edition} projection is not built here (available: "
            f"{available_editions()}); the 2023 edition needs network access: run "
            "`scity data pull ipss_projections_2023`."
        )
    from scityhelpers.pipeline.tidy import load

    return load(EDITION_TABLES[edition])
