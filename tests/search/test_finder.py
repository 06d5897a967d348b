"""The process-wide finder follows the catalog in the database."""

import pytest

from motcua.catalog.models import Procedure
from motcua.search import finder


@pytest.fixture(autouse=True)
def fresh_finder():
    finder.reset_finder()
    yield
    finder.reset_finder()


@pytest.mark.django_db
class TestGetFinder:
    def test_indexes_published_procedures_of_the_database(self, tiny_catalog):
        engine = finder.get_finder(now=1000.0)
        published = set(Procedure.objects.published().values_list("code", flat=True))
        assert {d.code for d in engine.docs} == published

    def test_falls_back_to_the_bundled_catalog_when_the_database_is_empty(self):
        assert len(finder.get_finder(now=1000.0).docs) > 300

    def test_rebuilds_after_an_edit_once_the_refresh_interval_passed(self, tiny_catalog):
        first = finder.get_finder(now=1000.0)
        proc = Procedure.objects.published().first()
        proc.name = "Thủ tục cấp giấy phép nuôi chim yến thử nghiệm"
        proc.save()
        assert finder.get_finder(now=1000.0 + finder.REFRESH_SECONDS / 2) is first
        second = finder.get_finder(now=1000.0 + finder.REFRESH_SECONDS + 1)
        assert second is not first
        assert second.search("nuôi chim yến", k=1)[0].code == proc.code

    def test_unchanged_catalog_keeps_the_same_index(self, tiny_catalog):
        first = finder.get_finder(now=1000.0)
        assert finder.get_finder(now=1000.0 + finder.REFRESH_SECONDS + 1) is first
