"""Production settings: secure cookies, HSTS, a Content Security Policy, a clean ``check --deploy``, and no start
without real keys (the development keys in var/secrets.env are never read in production)."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ("
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'DEBUG', "
    "'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS')} | {'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}))"
)


def production_env(**overrides) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CUNTONG_")}
    env.update(
        DJANGO_SETTINGS_MODULE="cuntong.settings",
        CUNTONG_ENV="production",
        CUNTONG_SECRET_KEY="production-secret-" + "k3y-x9" * 10,
        CUNTONG_DATA_KEYS=Fernet.generate_key().decode(),
        CUNTONG_HASH_KEY="production-blind-index-key-0123456789",
        CUNTONG_ALLOWED_HOSTS="cuntong.example.gov.cn",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(args, env):
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = run(["-m", "cuntong", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_hardening_is_on():
    result = run(["-c", PROBE], production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"] and not values["DEBUG"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["csp"]["script-src"] == ["'self'"] and values["csp"]["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("missing", ["CUNTONG_DATA_KEYS", "CUNTONG_HASH_KEY", "CUNTONG_SECRET_KEY"])
def test_production_refuses_to_start_without_keys(missing, tmp_path):
    # development keys lying around in the var directory must not be picked up
    (tmp_path / "secrets.env").write_text(
        f"CUNTONG_SECRET_KEY={'d' * 60}\nCUNTONG_DATA_KEYS={Fernet.generate_key().decode()}\nCUNTONG_HASH_KEY=dev\n"
    )
    result = run(["-c", PROBE], production_env(**{missing: None, "CUNTONG_VAR_DIR": str(tmp_path)}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr
