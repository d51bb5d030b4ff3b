"""Production mode (DESIGN §4, mode 2): ``manage.py check --deploy`` is clean with a
production-like environment, exactly as docs/operations/production.md sets it."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GONGZHI_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base",
            "DEBUG": "false",
            "HTTPS": "true",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "gongzhi.example.gov.cn",
            "CSRF_TRUSTED_ORIGINS": "https://gongzhi.example.gov.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "GONGZHI_ENCRYPTION_KEYS": "k2026:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        }
    )
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path: Path) -> None:
    # when
    result = run_check(production_env(tmp_path))

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_embedded_demo_defaults(tmp_path: Path) -> None:
    # given the laptop defaults: no HTTPS, the built-in demo key
    env = production_env(tmp_path, HTTPS="false")
    del env["SECRET_KEY"]

    # when
    result = run_check(env)

    # then: the same check that passes above does catch an unsafe configuration
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W009" in output  # weak SECRET_KEY
    assert "security.W008" in output  # no SECURE_SSL_REDIRECT
