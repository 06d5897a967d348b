"""The event spine: subscribers follow the dossier log; the dossier app calls none of them."""

from __future__ import annotations

import ast
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction

import motcua.dossiers
from motcua.dossiers import events
from motcua.dossiers.actions import ActionRequest, perform
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import record_event
from motcua.notices.models import Notice
from motcua.reports.models import DossierFact

from .conftest import APPLICANT, submit


class Boom(Exception):
    pass


def _append(dossier: Dossier, **kwargs) -> DossierEvent:
    """A log-only event one hour after the dossier's last one."""
    last = dossier.events.order_by("-seq").first()
    params = {
        "action": "assign",
        "from_status": dossier.status,
        "to_status": dossier.status,
        "actor": "user:1",
        "at": last.at + timedelta(hours=1),
    }
    params.update(kwargs)
    return record_event(dossier, **params)


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure)
    return dossier


class TestInstalledSubscribers:
    def test_the_kpi_projection_runs_before_the_notice_outbox(self):
        # The order record_event and submit/perform called them in before the spine existed.
        names = [s.name for s in events.subscriptions()]
        assert names[:2] == ["reports.kpi_projection", "notices.outbox"]
        assert {s.phase for s in events.subscriptions()[:2]} == {events.IN_TRANSACTION}


@pytest.mark.django_db
class TestInTransaction:
    def test_handler_sees_the_saved_event_inside_the_transaction(self, center, procedure):
        seen = []

        def handler(recorded):
            seen.append(
                (
                    recorded.event.action,
                    recorded.announce,
                    DossierEvent.objects.filter(pk=recorded.event.pk).exists(),
                    transaction.get_connection().in_atomic_block,
                )
            )

        with events.subscribed(handler, name="test.seen"):
            submit(center, procedure)
        assert seen == [("receive", True, True, True)]

    def test_an_exception_rolls_the_event_back(self, dossier):
        def boom(recorded):
            raise Boom

        supplement = {"action": "request_supplement", "to_status": "supplement_requested"}
        before = list(dossier.events.values_list("pk", flat=True))
        with events.subscribed(boom, name="test.boom"), pytest.raises(Boom), transaction.atomic():
            _append(dossier, **supplement)
        assert list(dossier.events.values_list("pk", flat=True)) == before
        assert DossierFact.objects.get(pk=dossier.pk).supplement_requests == 0
        # Without the failing handler the same event is kept, and the projection follows it.
        with transaction.atomic():
            _append(dossier, **supplement)
        assert dossier.events.count() == len(before) + 1
        assert DossierFact.objects.get(pk=dossier.pk).supplement_requests == 1

    def test_an_officer_action_rolled_back_by_a_handler_changes_nothing(self, dossier):
        def boom(recorded):
            raise Boom

        request = ActionRequest(
            action="request_supplement",
            role="reception",
            actor="user:1",
            seen_seq=1,
            now=dossier.received_at + timedelta(hours=1),
            note="Thiếu giấy chứng sinh",
        )
        notices = Notice.objects.count()
        with events.subscribed(boom, name="test.boom"), pytest.raises(Boom), transaction.atomic():
            perform(dossier.pk, request)
        dossier.refresh_from_db()
        assert (dossier.status, dossier.events.count()) == ("received", 1)
        assert Notice.objects.count() == notices

    def test_handlers_run_in_registration_order(self, dossier):
        calls = []
        with (
            events.subscribed(lambda r: calls.append("b"), name="test.b"),
            events.subscribed(lambda r: calls.append("a"), name="test.a"),
            events.subscribed(lambda r: calls.append("c"), name="test.c"),
        ):
            _append(dossier)
        assert calls == ["b", "a", "c"]


@pytest.mark.django_db
class TestAfterCommit:
    def test_runs_only_after_the_commit(self, dossier, django_capture_on_commit_callbacks):
        calls = []
        with (
            events.subscribed(
                lambda r: calls.append(r.event.pk), phase=events.AFTER_COMMIT, name="test.after"
            ),
            django_capture_on_commit_callbacks(execute=True),
        ):
            with transaction.atomic():
                event = _append(dossier)
                assert calls == []
            assert calls == []  # still inside the test's transaction
        assert calls == [event.pk]

    def test_never_after_a_rollback(self, dossier, django_capture_on_commit_callbacks):
        calls = []
        with (
            events.subscribed(
                lambda r: calls.append(r.event.pk), phase=events.AFTER_COMMIT, name="test.after"
            ),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(Boom),
            transaction.atomic(),
        ):
            _append(dossier)
            raise Boom
        assert calls == [] and callbacks == []

    def test_a_failure_is_logged_without_personal_data_and_not_raised(
        self, dossier, django_capture_on_commit_callbacks, caplog
    ):
        def fails(recorded):
            raise ValueError(f"{APPLICANT.name} {APPLICANT.phone}")

        later = []
        with (
            events.subscribed(fails, phase=events.AFTER_COMMIT, name="test.fails"),
            events.subscribed(lambda r: later.append(1), phase=events.AFTER_COMMIT, name="t.ok"),
            caplog.at_level(logging.ERROR, logger="motcua.dossiers.events"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            event = _append(dossier)
        assert later == [1]  # the next handler still ran
        [record] = [r for r in caplog.records if r.name == "motcua.dossiers.events"]
        text = record.getMessage()
        assert "test.fails" in text and str(event.pk) in text and "ValueError" in text
        assert APPLICANT.name not in caplog.text and APPLICANT.phone not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_after_commit_with_a_real_commit_and_rollback(center, procedure):
    calls = []
    with events.subscribed(
        lambda r: calls.append(r.event.action), phase=events.AFTER_COMMIT, name="test.after"
    ):
        dossier, _ = submit(center, procedure)
        assert calls == ["receive"]
        with pytest.raises(Boom), transaction.atomic():
            _append(dossier)
            raise Boom
        assert calls == ["receive"]
        with transaction.atomic():
            _append(dossier)
            assert calls == ["receive"]
        assert calls == ["receive", "assign"]


class TestRegistry:
    def test_subscribed_unregisters_even_after_an_error(self):
        before = events.subscriptions()
        with pytest.raises(Boom), events.subscribed(lambda r: None, name="test.tmp"):
            assert "test.tmp" in [s.name for s in events.subscriptions()]
            raise Boom
        assert events.subscriptions() == before

    def test_unregister(self):
        events.on_event(print, name="test.print")
        assert events.unregister("test.print") is True
        assert events.unregister("test.print") is False
        assert "test.print" not in [s.name for s in events.subscriptions()]

    def test_registering_a_name_again_replaces_it_in_place(self):
        first, second = (lambda r: 1), (lambda r: 2)
        with events.subscribed(first, name="test.x"), events.subscribed(print, name="test.y"):
            events.on_event(second, name="test.x")
            mine = [(s.name, s.handler) for s in events.subscriptions() if s.name[:5] == "test."]
            assert mine == [("test.x", second), ("test.y", print)]
        assert [s for s in events.subscriptions() if s.name[:5] == "test."] == []

    def test_ready_twice_does_not_subscribe_twice(self):
        from django.apps import apps

        before = events.subscriptions()
        apps.get_app_config("reports").ready()
        apps.get_app_config("notices").ready()
        assert events.subscriptions() == before

    def test_refuses_an_unknown_phase_and_a_taken_name(self):
        with pytest.raises(ValueError):
            events.on_event(print, phase="before_commit", name="test.bad")  # type: ignore[arg-type]
        with pytest.raises(ValueError), events.subscribed(print, name="reports.kpi_projection"):
            pass
        names = [s.name for s in events.subscriptions()]
        assert "test.bad" not in names and "reports.kpi_projection" in names


@pytest.mark.django_db
class TestNoticesFollowAnnouncedSteps:
    """Notices leave at the receipt and at officer actions only, as before the spine."""

    def test_receipt_and_officer_action_queue_notices(self, dossier):
        assert Notice.objects.filter(dossier=dossier, kind="accepted").count() == 1
        with transaction.atomic():
            perform(
                dossier.pk,
                ActionRequest(
                    action="request_supplement",
                    role="reception",
                    actor="user:1",
                    seen_seq=1,
                    now=dossier.received_at + timedelta(hours=1),
                    note="Thiếu giấy chứng sinh",
                ),
            )
        assert Notice.objects.filter(dossier=dossier, kind="supplement_requested").count() == 1

    def test_a_log_only_event_queues_none_even_for_a_notifying_action(self, dossier):
        before = Notice.objects.count()
        with transaction.atomic():
            _append(dossier, action="request_supplement", note="Thiếu giấy")
        assert Notice.objects.count() == before


# The dossier app must not import the apps that follow its log (style.md: an event spine, not
# upward calls). The exchange package is the one exception, for reports only: a bulk import
# writes its events without record_event and rebuilds the imported dossiers' KPI facts in the
# same transaction (importing.py: rollups.rebuild), and the history summary reads the outcome
# precedence from there (format.py: END_PRIORITY).
FOLLOWERS = ("motcua.reports", "motcua.notices")
ALLOWED = {
    ("exchange/format.py", "motcua.reports"),
    ("exchange/importing.py", "motcua.reports"),
}


def _imports(tree: ast.AST, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_dossier_app_imports_no_follower():
    root = Path(motcua.dossiers.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 10
    offending = []
    for path in files:
        relative = path.relative_to(root)
        package = ".".join(["motcua", "dossiers", *relative.parent.parts])
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")), package):
            for follower in FOLLOWERS:
                follows = name == follower or name.startswith(follower + ".")
                if follows and (str(relative), follower) not in ALLOWED:
                    offending.append(f"{relative}: {name}")
    assert offending == []


def test_the_import_scan_can_fail():
    sources = [
        "from motcua.reports.rollups import refresh_dossier",
        "import motcua.notices.services",
        "from motcua import notices",
        "from ..reports import rollups",
        "def f():\n    from motcua.notices.services import queue_for_event\n",
    ]
    for source in sources:
        names = _imports(ast.parse(source), "motcua.dossiers")
        assert any(n.startswith(FOLLOWERS) for n in names), source
