"""Wages and productivity: Japan's rank among OECD members and the trend since 1991.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
