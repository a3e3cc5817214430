"""Programmes: SDGs Future Cities, decarbonization leading areas and other selections.

``compute`` (PARAMS; tidy tables in, facts out), ``figures`` and ``facts.csv``.
"""
