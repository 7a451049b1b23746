"""Settings for the test suite: the real settings, with tasks run inline and a cheaper Argon2 cost."""

import tempfile

from .settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["cuntong.accounts.hashers.TestArgon2PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="cuntong-test-media-")
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "ERROR"}}  # noqa: F405
PUBLIC_VIEWS_REFUSE_WRITES = True  # a public GET that writes fails its test
# The live server of browser tests answers one request at a time: its threads share the test's in-memory SQLite
# connection, and two requests running the same query at once share one prepared statement and read each other's
# rows (a page and its bell's count both loading the session: "get() returned more than one Session").
MIDDLEWARE = ["cuntong.web.testing.OneRequestAtATime", *MIDDLEWARE]  # noqa: F405
