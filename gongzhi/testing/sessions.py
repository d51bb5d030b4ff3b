"""Query-count tests and the session engine.

With database sessions (the test settings without Redis) a request reads its session with one
statement; with Redis the settings switch to ``cached_db`` sessions, read from the cache once
the session is there (the CI runs the suite that way). Pinned counts add this instead of
assuming one or the other.
"""

from __future__ import annotations

from django.conf import settings


def session_reads() -> int:
    """Statements a signed-in request spends reading its (already cached) session."""
    return 0 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" else 1
