"""Fixtures of the security tests."""

from .tenants import tenants  # noqa: F401  (fixture)
