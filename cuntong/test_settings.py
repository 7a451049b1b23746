"""Settings for the test suite: the real settings, with tasks run inline and a cheaper Argon2 cost."""

import tempfile

from .settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["cuntong.accounts.hashers.TestArgon2PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="cuntong-test-media-")
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "ERROR"}}  # noqa: F405
PUBLIC_VIEWS_REFUSE_WRITES = True  # a public GET that writes fails its test
