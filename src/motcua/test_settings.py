"""Settings for the test suite: the production settings with a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from motcua.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests read mail.outbox right after an action: send inside the request (the courier thread has
# its own tests in tests/notices/test_courier.py).
MOTCUA_NOTICES_DELIVERY = "inline"
