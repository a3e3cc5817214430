"""From executed notebooks to the published book.

``runner`` executes the notebooks (papermill) and writes each chapter's ``facts`` record;
``build`` builds and checks the site (staged, published only when every check passes); the
figure and table exports, the explorer and ``datapackage`` give readers the data; ``edition_ja``,
``sphinx_editions`` and ``pdf`` make the Japanese and PDF editions; ``bench`` measures speed.
"""
