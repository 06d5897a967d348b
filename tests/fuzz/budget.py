"""The hypothesis settings every fuzz test shares: no deadline (the suite's database and the
machine's load vary), no example database, Django's per-test fixtures allowed."""

from hypothesis import HealthCheck, settings


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
