"""`make bench`: Cassandre measured against the limit and against a typical pipeline.

Every headline figure is a ratio against a reference measured in the same run (the machine
is shared and noisy: absolute times drift, ratios hold). `scripts/bench.py` drives it:
`corpus` renders Debian's man pages into documents, `deployment` serves a scratch Cassandre,
`ingestion`, `search` and `chat` measure, `report` prints the table and writes the JSON.
"""
