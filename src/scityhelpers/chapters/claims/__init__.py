"""The claims ledger: each briefing claim recomputed from the facts records.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
