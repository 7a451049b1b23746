from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with a small memory cost, so the test suite exercises the real algorithm without the real expense."""

    memory_cost = 1024
    time_cost = 1
    parallelism = 1
