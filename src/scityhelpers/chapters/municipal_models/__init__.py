"""Municipal models: which municipalities are selected, and income.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
