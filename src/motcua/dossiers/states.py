"""Enumerations of the dossier domain. Stable snake_case codes, Vietnamese display labels.

The status vocabulary follows the states synced to Cổng Dịch vụ công quốc gia and used by the
KPI of Quyết định 766/QĐ-TTg (domain.md §3.3). The back-office workflow is one table,
``TRANSITIONS``: (status, action) → next status, with the roles allowed to take the action.
``guard`` is the only check and ``available_actions`` feeds the officer UI's buttons, so the
UI and the rules cannot drift apart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.states import Channel as CatalogChannel


class DossierStatus(models.TextChoices):
    # The national status vocabulary (domain.md §3.3; issue "the workflow, as a table").
    SUBMITTED = "submitted", _("Mới đăng ký")
    RECEIVED = "received", _("Được tiếp nhận")
    NOT_ACCEPTED = "not_accepted", _("Không được tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")
    AWAITING_SIGNATURE = "awaiting_signature", _("Chờ ký")
    PROCESSED = "processed", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


# The end states of the KPI 766 formula: a dossier in one of them is no longer being processed.
TERMINAL_STATUSES = frozenset(
    {
        DossierStatus.NOT_ACCEPTED,
        DossierStatus.STOPPED,
        DossierStatus.PROCESSED,
        DossierStatus.RETURNED,
        DossierStatus.WITHDRAWN,
    }
)


class Channel(models.TextChoices):
    """Where the dossier came in. Kiosk and counter are both "trực tiếp" for the portal."""

    KIOSK = "kiosk", _("Kiosk tự phục vụ")
    COUNTER = "counter", _("Quầy tiếp nhận")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính công ích")

    @property
    def national_code(self) -> int:
        """``KenhThucHien`` on Cổng DVCQG: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích."""
        return NATIONAL_CHANNEL_CODES[self]

    @property
    def catalog_channel(self) -> str:
        """The catalog channel whose time limit and fee apply to a dossier received here."""
        return CATALOG_CHANNELS[self]


NATIONAL_CHANNEL_CODES: dict[str, int] = {
    Channel.KIOSK: 1,
    Channel.COUNTER: 1,
    Channel.ONLINE: 2,
    Channel.POSTAL: 3,
}

CATALOG_CHANNELS: dict[str, str] = {
    Channel.KIOSK: CatalogChannel.DIRECT,
    Channel.COUNTER: CatalogChannel.DIRECT,
    Channel.ONLINE: CatalogChannel.ONLINE,
    Channel.POSTAL: CatalogChannel.POSTAL,
}


class ResultDelivery(models.TextChoices):
    """Mẫu 01 item 6: where the applicant asked to receive the result."""

    AT_CENTER = "at_center", _("Tại Trung tâm Phục vụ hành chính công")
    POSTAL = "postal", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận và trả kết quả")
    SPECIALIST = "specialist", _("Công chức chuyên môn")
    LEADER = "leader", _("Lãnh đạo UBND")
    CENTER_ADMIN = "center_admin", _("Quản trị trung tâm")
    PROVINCIAL_VIEWER = "provincial_viewer", _("Cán bộ tỉnh (chỉ xem)")
    # Tổ công nghệ số cộng đồng: helps a citizen who is present submit online, with their
    # consent (motcua.assist). Not an officer: no back office, no admin, no dossier of anyone.
    DIGITAL_TEAM = "digital_team", _("Thành viên tổ công nghệ số cộng đồng")


# Roles that work in the back office; everyone else with a membership (the digital team) only
# reaches the pages of their own app.
OFFICER_ROLES = frozenset(
    {Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CENTER_ADMIN, Role.PROVINCIAL_VIEWER}
)


class EventAction(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    # Reception checks a registered dossier (kiosk, online) and receives it (decision 0007).
    ACCEPT = "accept", _("Kiểm tra giấy tờ và tiếp nhận hồ sơ")
    REFUSE = "refuse", _("Từ chối tiếp nhận (Mẫu 03)")
    ASSIGN = "assign", _("Chuyển, giao xử lý")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung (Mẫu 02)")
    SUBMIT_SUPPLEMENT = "submit_supplement", _("Nhận hồ sơ bổ sung")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    CONFIRM_PAYMENT = "confirm_payment", _("Xác nhận đã thực hiện nghĩa vụ tài chính")
    SUBMIT_FOR_SIGNATURE = "submit_for_signature", _("Trình ký")
    SIGN = "sign", _("Ký duyệt")
    RETURN_FOR_REWORK = "return_for_rework", _("Trả lại để xử lý lại")
    MARK_RESULT_READY = "mark_result_ready", _("Xác nhận có kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    RESCHEDULE = "reschedule", _("Xin lỗi và hẹn lại (Mẫu 04)")
    STOP = "stop", _("Dừng xử lý")
    WITHDRAW = "withdraw", _("Rút hồ sơ theo yêu cầu của công dân")
    # Not workflow transitions (absent from TRANSITIONS): the status stays as it is. They are
    # logged so that KPI 4.2 / 4.3 of QĐ 766 come from the event log.
    DIGITIZE = "digitize", _("Số hóa thành phần hồ sơ")
    REUSE = "reuse", _("Dùng lại giấy tờ đã số hóa")
    # KPI 3.6 (online payment) and 5.4 (satisfaction) of QĐ 766 come from these two.
    PAY = "pay", _("Ghi nhận nộp phí, lệ phí")
    RATE = "rate", _("Ghi nhận đánh giá của người dân")


class PaymentMethod(models.TextChoices):
    """How a fee was paid. Only the first two are "thanh toán trực tuyến" for KPI 3.6."""

    ONLINE_NATIONAL = "online_national", _("Trực tuyến qua Cổng Dịch vụ công quốc gia")
    ONLINE_PROVINCIAL = "online_provincial", _("Trực tuyến qua Cổng dịch vụ công của tỉnh")
    CASH = "cash", _("Tiền mặt tại Trung tâm")
    TRANSFER = "transfer", _("Chuyển khoản, quét mã QR tại quầy")

    @property
    def online_code(self) -> int:
        """``DuocThanhToanTrucTuyen`` on Cổng DVCQG: 1 qua Cổng DVCQG, 2 qua cổng của tỉnh, 0 không."""
        return ONLINE_PAYMENT_CODES.get(self, 0)


ONLINE_PAYMENT_CODES: dict[str, int] = {
    PaymentMethod.ONLINE_NATIONAL: 1,
    PaymentMethod.ONLINE_PROVINCIAL: 2,
}


class Rating(models.TextChoices):
    """The citizen's evaluation of how the dossier was handled (KPI 5.4 counts "không hài lòng")."""

    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class TransitionNotAllowed(Exception):
    """An action the dossier's status or the officer's role does not allow (HTTP 409)."""

    status_code = 409

    def __init__(self, status: str, action: str, role: str | None = None):
        self.status, self.action, self.role = status, action, role
        if role is not None and (status, action) in TRANSITIONS:
            message = _("Vai trò “%(role)s” không được thực hiện “%(action)s”.") % {
                "role": Role(role).label,
                "action": EventAction(action).label,
            }
        else:
            message = _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.") % {
                "action": EventAction(action).label if action in EventAction.values else action,
                "status": DossierStatus(status).label if status in DossierStatus.values else status,
            }
        self.message = str(message)
        super().__init__(self.message)


S, A, R = DossierStatus, EventAction, Role
_OPEN = (
    S.RECEIVED,
    S.IN_PROGRESS,
    S.SUPPLEMENT_REQUESTED,
    S.AWAITING_PAYMENT,
    S.AWAITING_SIGNATURE,
)

# (status, action) -> (next status, roles allowed). Rules and their source:
# - accept / refuse at reception: NĐ 61/2018 Đ.15 (now NĐ 118/2025), Mẫu 01 / Mẫu 03;
# - request_supplement once, in writing (Mẫu 02); the legal clock stops until the supplement
#   arrives (KPI 766 formula, domain.md §3.3);
# - reschedule (Mẫu 04) keeps the status: it only moves the due time, before it passes;
# - sign is the leader's; results that need no signature are marked ready by the specialist;
# - stop is the leader's decision (TT 03/2025 Mẫu 05); withdraw is the citizen's request,
#   recorded at the counter.
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.SUBMITTED, A.ACCEPT): (S.RECEIVED, frozenset({R.RECEPTION})),
    (S.SUBMITTED, A.REFUSE): (S.NOT_ACCEPTED, frozenset({R.RECEPTION})),
    (S.RECEIVED, A.REFUSE): (S.NOT_ACCEPTED, frozenset({R.RECEPTION})),
    (S.RECEIVED, A.ASSIGN): (S.IN_PROGRESS, frozenset({R.RECEPTION, R.LEADER})),
    # Reception corrects a wrong assignment it made, with the reason (see actions._assign).
    (S.IN_PROGRESS, A.ASSIGN): (S.IN_PROGRESS, frozenset({R.RECEPTION, R.SPECIALIST, R.LEADER})),
    (S.RECEIVED, A.REQUEST_SUPPLEMENT): (S.SUPPLEMENT_REQUESTED, frozenset({R.RECEPTION})),
    (S.IN_PROGRESS, A.REQUEST_SUPPLEMENT): (S.SUPPLEMENT_REQUESTED, frozenset({R.SPECIALIST})),
    (S.SUPPLEMENT_REQUESTED, A.SUBMIT_SUPPLEMENT): (S.IN_PROGRESS, frozenset({R.RECEPTION})),
    (S.IN_PROGRESS, A.REQUEST_PAYMENT): (S.AWAITING_PAYMENT, frozenset({R.SPECIALIST})),
    (S.AWAITING_PAYMENT, A.CONFIRM_PAYMENT): (
        S.IN_PROGRESS,
        frozenset({R.RECEPTION, R.SPECIALIST}),
    ),
    (S.IN_PROGRESS, A.SUBMIT_FOR_SIGNATURE): (S.AWAITING_SIGNATURE, frozenset({R.SPECIALIST})),
    (S.AWAITING_SIGNATURE, A.SIGN): (S.PROCESSED, frozenset({R.LEADER})),
    (S.AWAITING_SIGNATURE, A.RETURN_FOR_REWORK): (S.IN_PROGRESS, frozenset({R.LEADER})),
    (S.IN_PROGRESS, A.MARK_RESULT_READY): (S.PROCESSED, frozenset({R.SPECIALIST})),
    (S.PROCESSED, A.RETURN_RESULT): (S.RETURNED, frozenset({R.RECEPTION})),
    **{(s, A.RESCHEDULE): (s, frozenset({R.SPECIALIST, R.LEADER})) for s in _OPEN},
    **{(s, A.STOP): (S.STOPPED, frozenset({R.LEADER})) for s in _OPEN},
    **{(s, A.WITHDRAW): (S.WITHDRAWN, frozenset({R.RECEPTION})) for s in (S.SUBMITTED, *_OPEN)},
}


def guard(status: str, action: str, role: str) -> str:
    """The next status, or TransitionNotAllowed: the one check every action goes through."""
    entry = TRANSITIONS.get((status, action))
    if entry is None:
        raise TransitionNotAllowed(status, action)
    next_status, roles = entry
    if role not in roles:
        raise TransitionNotAllowed(status, action, role)
    return next_status


def available_actions(status: str, role: str) -> list[str]:
    """The actions a person with this role may take on a dossier in this status, in order."""
    return [
        action
        for action in EventAction.values
        if (status, action) in TRANSITIONS and role in TRANSITIONS[(status, action)][1]
    ]
