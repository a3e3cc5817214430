"""Population: census totals, IPSS projections to 2050 and the central corridor.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
