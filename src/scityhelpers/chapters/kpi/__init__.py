"""Digital Garden City KPIs: targets, latest values and progress.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
