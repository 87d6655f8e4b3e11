"""Production mode refuses to start with an unsafe setting, and passes Django's deployment
checks with safe ones. Each case starts a fresh Python process with a controlled environment,
as a real deployment would."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
REFUSAL = "Intercampus refuses to start in production mode"


@pytest.fixture
def safe_production_env(tmp_path) -> dict[str, str]:
    """Only what a careful operator would set; nothing inherited from the developer's shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "intercampus.settings",
        "INTERCAMPUS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "intercampus.example.org",
        "SITE_URL": "https://intercampus.example.org",
        "EMAIL_URL": "smtp://intercampus:secret@mail.example.org:587",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "INTERCAMPUS_DATA_DIR": str(tmp_path / "data"),
    }


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(["-c", "import django; django.setup()"], env)


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_starts_with_safe_settings(safe_production_env):
    result = start_django(safe_production_env)

    assert result.returncode == 0, result.stderr


def test_production_passes_the_deployment_checks_with_safe_settings(safe_production_env):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], safe_production_env
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"DEBUG": "true"}, "DEBUG must be false"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short-to-be-a-secret"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "abcdef" * 10}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ("Kq7-pZ2_wX9mR4tY8vB1nL5s" * 3)[:70]}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"SITE_URL": "http://intercampus.example.org"}, "SITE_URL must be"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": "intercampus.example.org,*"}, "ALLOWED_HOSTS must list"),
        ({"EMAIL_URL": None}, "EMAIL_URL must name a real mail server"),
        ({"EMAIL_URL": "consolemail://"}, "EMAIL_URL must name a real mail server"),
    ],
    ids=[
        "debug-on",
        "no-secret-key",
        "short-secret-key",
        "one-character-secret-key",
        "repeated-pattern-secret-key",
        "repeated-random-looking-secret-key",
        "no-allowed-hosts",
        "plain-http-site-url",
        "any-host",
        "any-host-among-others",
        "no-email-url",
        "console-email",
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(
    safe_production_env, changes, complaint
):
    env = dict(safe_production_env)
    for name, value in changes.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value

    result = start_django(env)

    assert result.returncode != 0
    assert REFUSAL in result.stderr
    assert complaint in result.stderr


def test_every_problem_is_reported_at_once(safe_production_env):
    env = {k: v for k, v in safe_production_env.items() if k not in {"SECRET_KEY", "EMAIL_URL"}}

    result = start_django(env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "EMAIL_URL must name a real mail server" in result.stderr


def test_an_unknown_mode_is_refused(safe_production_env):
    env = dict(safe_production_env, INTERCAMPUS_ENV="staging")

    result = start_django(env)

    assert result.returncode != 0
    assert "INTERCAMPUS_ENV must be 'development' or 'production'" in result.stderr


def test_development_mode_needs_no_setting_at_all(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "intercampus.settings",
        "INTERCAMPUS_DATA_DIR": str(tmp_path / "data"),
    }

    result = run_python(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])",
        ],
        env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_production_signs_up_only_verified_addresses_so_accounts_stay_hidden(
    safe_production_env,
):
    code = (
        "import django; django.setup(); from allauth.account import app_settings as a; "
        "print(a.EMAIL_VERIFICATION.value, a.PREVENT_ENUMERATION)"
    )
    result = run_python(["-c", code], safe_production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mandatory", "True"]
