"""Test settings: fast hashing, no lockout noise, eager tasks; database from DATABASE_URL."""

from gongzhi.settings.base import *  # noqa: F403  (settings modules extend the base by design)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGZHI_SMS_BACKEND = "gongzhi.accounts.sms.MemorySmsBackend"
CELERY_TASK_ALWAYS_EAGER = True
GONGZHI_LEDGER_SEALING_DELAY_S = GONGZHI_INTAKE_COMPLETION_DELAY_S = 0.0  # tests count delay() calls
GONGZHI_RUN_SCHEDULER = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongzhi-test"}}
# One process per test run: the per-process cache is shared by every request of the run, so the
# suites exercise the request authorisation cache (conftest.py clears the cache per test).
GONGZHI_AUTHZ_CACHE = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
GONGZHI_ENFORCE_ONE_CHANGE_RECORD = True
GONGZHI_IMPORT_UPLOAD_DIR = VAR_DIR / "test-private" / "imports"  # noqa: F405
STORAGES["residents_imports"]["OPTIONS"]["location"] = str(GONGZHI_IMPORT_UPLOAD_DIR)  # noqa: F405
GONGZHI_IMPORT_THREAD = False  # tests run the task eagerly, after commit
