"""The workflow table: every status × action × role, and the paths officers walk."""

from __future__ import annotations

import itertools

import pytest

from motcua.dossiers.states import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    DossierStatus,
    EventAction,
    Role,
    TransitionNotAllowed,
    available_actions,
    guard,
)

S, A, R = DossierStatus, EventAction, Role
ALL = list(itertools.product(S.values, A.values, R.values))


class TestGuardAgainstEveryCell:
    @pytest.mark.parametrize(("status", "action", "role"), ALL)
    def test_guard_and_buttons_agree(self, status, action, role):
        shown = action in available_actions(status, role)
        try:
            next_status = guard(status, action, role)
        except TransitionNotAllowed as exc:
            assert not shown
            assert exc.status_code == 409
            assert exc.message  # a Vietnamese sentence for the officer
            return
        assert shown
        assert next_status == TRANSITIONS[(status, action)][0]


class TestTableShape:
    def test_every_status_and_action_is_a_known_code(self):
        for (status, action), (next_status, roles) in TRANSITIONS.items():
            assert status in S.values and action in A.values and next_status in S.values
            assert roles and roles <= set(R.values)

    def test_final_states_allow_nothing_but_returning_a_ready_result(self):
        for status in TERMINAL_STATUSES:
            actions = {a for (s, a) in TRANSITIONS if s == status}
            assert actions == ({A.RETURN_RESULT} if status == S.PROCESSED else set())
        assert not [k for k in TRANSITIONS if k[0] == S.RETURNED]

    def test_viewers_and_admins_take_no_workflow_action(self):
        for status in S.values:
            assert available_actions(status, R.PROVINCIAL_VIEWER) == []
            assert available_actions(status, R.CENTER_ADMIN) == []

    def test_receive_is_not_a_transition(self):
        # The kiosk and counter create dossiers already received; that is the first event.
        assert not [k for k in TRANSITIONS if k[1] == A.RECEIVE]


class TestPaths:
    def walk(self, start, steps):
        status = start
        for action, role in steps:
            status = guard(status, action, role)
        return status

    def test_online_dossier_with_a_supplement_signed_and_returned(self):
        end = self.walk(
            S.SUBMITTED,
            [
                (A.ACCEPT, R.RECEPTION),
                (A.ASSIGN, R.RECEPTION),
                (A.REQUEST_SUPPLEMENT, R.SPECIALIST),
                (A.SUBMIT_SUPPLEMENT, R.RECEPTION),
                (A.SUBMIT_FOR_SIGNATURE, R.SPECIALIST),
                (A.RETURN_FOR_REWORK, R.LEADER),
                (A.SUBMIT_FOR_SIGNATURE, R.SPECIALIST),
                (A.SIGN, R.LEADER),
                (A.RETURN_RESULT, R.RECEPTION),
            ],
        )
        assert end == S.RETURNED

    def test_fee_then_result_without_signature(self):
        end = self.walk(
            S.RECEIVED,
            [
                (A.ASSIGN, R.LEADER),
                (A.REQUEST_PAYMENT, R.SPECIALIST),
                (A.CONFIRM_PAYMENT, R.RECEPTION),
                (A.MARK_RESULT_READY, R.SPECIALIST),
            ],
        )
        assert end == S.PROCESSED

    def test_reschedule_keeps_the_status(self):
        for status in (S.IN_PROGRESS, S.AWAITING_SIGNATURE, S.SUPPLEMENT_REQUESTED):
            assert guard(status, A.RESCHEDULE, R.SPECIALIST) == status

    @pytest.mark.parametrize(
        ("status", "action", "role"),
        [
            (S.AWAITING_SIGNATURE, A.SIGN, R.SPECIALIST),
            (S.IN_PROGRESS, A.STOP, R.RECEPTION),
            (S.IN_PROGRESS, A.SIGN, R.LEADER),
            (S.RETURNED, A.WITHDRAW, R.RECEPTION),
            (S.SUPPLEMENT_REQUESTED, A.REQUEST_SUPPLEMENT, R.SPECIALIST),
            (S.NOT_ACCEPTED, A.ACCEPT, R.RECEPTION),
        ],
    )
    def test_forbidden_moves(self, status, action, role):
        with pytest.raises(TransitionNotAllowed):
            guard(status, action, role)

    def test_messages_name_the_problem_in_vietnamese(self):
        with pytest.raises(TransitionNotAllowed) as wrong_role:
            guard(S.AWAITING_SIGNATURE, A.SIGN, R.SPECIALIST)
        assert "Công chức chuyên môn" in wrong_role.value.message
        assert "Ký duyệt" in wrong_role.value.message
        with pytest.raises(TransitionNotAllowed) as wrong_status:
            guard(S.RETURNED, A.SIGN, R.LEADER)
        assert "Đã trả kết quả" in wrong_status.value.message
