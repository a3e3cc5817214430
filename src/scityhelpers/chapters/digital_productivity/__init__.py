"""Digital maturity and productivity across OECD countries (panel models).

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
