"""Reference data every stage shares, each with its source.

Country and municipality resolvers (names, codes, mergers), IPSS projections by edition, the
briefing's own figures and how complete the programme lists are. Data files are in
``resources/``; reference tables compiled by hand are in ``data/reference/``.
"""
