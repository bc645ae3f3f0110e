"""Kapabel's SQLite database backend (`ENGINE = "kapabel.core.db"`): Django's, with writes that wait
their turn instead of failing with "database is locked". See `base.py`."""
