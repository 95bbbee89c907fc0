"""``wirestream events serve``: events and articles in SQLite, a JSON API, a live page."""
