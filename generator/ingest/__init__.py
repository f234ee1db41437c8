"""`newsdigest import`: raw scraped news (text, HTML, JSON Lines, WARC) into clean articles.

The passes, in order (pipeline.py runs them; tasks.py holds what runs on the workers):
inputs (inputs.py, readers.py, warc.py) -> pass 1: clean every page alone (clean.py, with
the cleaners htmlclean.py and textclean.py), kept in the store (store.py) -> group
near-duplicates (dedupe.py) and vote for batch-wide signals -> pass 2: clean again what
those signals change -> decide, write and report group by group in input order
(decisions.py, writer.py, report.py). Tasks run where an executor (executor.py: in this
process, or on Dask) puts them; every executor gives the same files.

Dependencies inside the package point one way, from pipeline down to model; outside it,
only generator.core. The build never imports this package.
"""
