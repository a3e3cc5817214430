"""The book's chapters, one folder each.

Each holds ``compute`` (PARAMS, tidy tables in, facts out), ``figures`` and ``facts.csv`` (the
facts the chapter declares, with units and precisions).

Shared by the chapters: ``registry`` (which chapters exist and what each reads), ``parameters``
(papermill parameter checks), ``plotting`` (the book's one look) and ``maps``.
"""
