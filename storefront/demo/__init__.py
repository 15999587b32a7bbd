"""The demo shop of ``flask seed-demo``: its words and numbers as data files in ``data/``
(TOML for rows, Markdown with a TOML front matter for pages and articles), and the seeders
that read them and create what is missing through the features' own models and services.

Nothing in the shop imports this package; only the ``seed-demo`` command (and the tests)
do, and the files are read when the seed runs, not when the package is imported.
"""
