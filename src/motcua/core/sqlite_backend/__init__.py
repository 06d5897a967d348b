"""SQLite with a fair writer queue: Django's sqlite3 backend plus a file lock (see ``base``)."""
