"""Two centers of one province and one of another, with data whose leak a test can spot.

Center A holds the secrets: a dossier of a citizen with a name, ID number, phone and e-mail that
appear nowhere else, its documents, events and notice, a kiosk, staff accounts and a signing
certificate. The people of center B (an officer and an administrator), a provincial viewer of
another province and anonymous visitors must never see any of it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.backoffice.services import sync_role_groups
from motcua.catalog.models import Sector
from motcua.centers.models import Center, StaffMembership, Unit
from motcua.dossiers.services import Applicant
from motcua.kiosk.models import KioskDevice
from motcua.notices.models import Notice
from motcua.queue.models import Appointment, Counter, QueueSettings, ServiceArea, Ticket
from motcua.signing.models import SignedResult, SigningCertificate
from tests.dossiers.conftest import make_center, make_procedure, submit

PASSWORD = "motcua-test-2026"  # noqa: S105

SECRET_APPLICANT = Applicant(
    name="Lưu Thị Kín Đáo",
    id_number="038199777123",
    address="Xóm Bí Mật, xã Hiền Lương, tỉnh Phú Thọ",
    phone="0987000111",
    email="kin.dao@example.vn",
)
# Strings that may appear only to center A's own people (and superusers).
MARKERS = [
    SECRET_APPLICANT.name,
    SECRET_APPLICANT.id_number,
    SECRET_APPLICANT.phone,
    SECRET_APPLICANT.email,
    "Xóm Bí Mật",
    "canbo_a_rieng",
    "Cán Bộ Chỉ Có Ở A",
    "Kiosk sảnh riêng A",
    "Chứng thư riêng A",
    "Điện thoại riêng A",
    "Khu vực riêng A",
    "Quầy riêng A",
    "Thông báo riêng A",
    "RIENGA",
    "Bản tin riêng A",
    "cách đọc riêng A",
    "Phản ánh riêng A",
    "Máy đánh giá riêng A",
]


def leaked(content: bytes) -> list[str]:
    text = content.decode("utf-8", errors="replace")
    return [marker for marker in MARKERS if marker in text]


def make_member(
    username,
    role,
    center=None,
    *,
    province="",
    staff=False,
    all_permissions=False,
    last_name="Họ",
):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, first_name="Tên", last_name=last_name
    )
    with transaction.atomic():
        StaffMembership.objects.create(user=user, center=center, role=role, province=province)
        sync_role_groups(user)
    if staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if all_permissions:
        # The worst case: a province that granted the group every permission there is. The
        # scoping must hold whatever the permissions say.
        user.user_permissions.set(Permission.objects.all())
    return get_user_model().objects.get(pk=user.pk)


class Tenants:
    def __init__(self) -> None:
        self.a = make_center("000.00.25.H45", commune="Xã Hiền Lương")
        self.b = make_center("000.00.26.H45", commune="Xã Tân Sơn")
        self.far = Center.objects.create(
            agency_code="000.00.01.H01",
            name="Trung tâm Phục vụ hành chính công phường Ba Đình",
            commune="Phường Ba Đình",
            province="Thành phố Hà Nội",
        )
        self.unit_a = Unit.objects.create(center=self.a, code="ho-tich", name="Hộ tịch xã A")
        self.unit_b = Unit.objects.create(center=self.b, code="ho-tich", name="Hộ tịch xã B")
        Sector.objects.create(name="Hộ tịch", code="ho-tich")
        procedure = make_procedure(
            channels=[{"channel": "direct", "time_value": 3, "fee_vnd": 15000}]
        )
        self.dossier_a, _ = submit(
            self.a,
            procedure,
            key="secret-a",
            applicant=SECRET_APPLICANT,
            form_data={"ho_ten": SECRET_APPLICANT.name},
        )
        self.dossier_b, _ = submit(self.b, procedure, key="plain-b")
        self.officer_a = make_member(
            "canbo_a_rieng", "reception", self.a, last_name="Cán Bộ Chỉ Có Ở A"
        )
        self.admin_a = make_member("quantri_a", "center_admin", self.a)
        self.leader_a = make_member("lanhdao_a", "leader", self.a)
        self.officer_b = make_member("canbo_b", "reception", self.b)
        self.admin_b = make_member("quantri_b", "center_admin", self.b, all_permissions=True)
        self.member_b = make_member("nhanvien_b", "specialist", self.b)
        # A provincial viewer of another province, made staff by mistake, with every permission.
        self.viewer_far = make_member(
            "tinh_hanoi",
            "provincial_viewer",
            province="Thành phố Hà Nội",
            staff=True,
            all_permissions=True,
        )
        self.kiosk_a = KioskDevice.objects.create(name="Kiosk sảnh riêng A", center=self.a)
        self.kiosk_b = KioskDevice.objects.create(name="Kiosk sảnh B", center=self.b)
        now = datetime(2025, 7, 7, 2, 0, tzinfo=UTC)
        self.notice_a = Notice.objects.create(
            dossier=self.dossier_a,
            kind="accepted",
            channel="email",
            recipient=SECRET_APPLICANT.email,
            subject=f"Hồ sơ của {SECRET_APPLICANT.name}",
            body=f"Kính gửi {SECRET_APPLICANT.name}",
            status="failed",
            next_attempt_at=now,
            created_at=now,
        )
        self.certificate_a = SigningCertificate.objects.create(
            user=self.leader_a,
            label="Chứng thư riêng A",
            p12_path="000.00.25.H45/lanhdao_a.p12",
            common_name="Chứng thư riêng A",
        )
        self.signed_a = SignedResult.objects.create(
            dossier=self.dossier_a,
            certificate=self.certificate_a,
            signer=self.leader_a,
            file="signed/a.pdf",
            size=1,
            sha256="0" * 64,
            # The public verification page shows these to whoever holds the 120-bit code printed
            # on the result: no personal data of the citizen there.
            result_name="Giấy chứng nhận kết hôn",
            signer_name="Phạm Lãnh Đạo",
            signed_at=now,
            verification_code="ABCD-EFGH-IJKL",
        )

        self.device_a = TOTPDevice.objects.create(
            user=self.leader_a, name="Điện thoại riêng A", confirmed=True
        )
        self.area_a = ServiceArea.objects.create(
            center=self.a, code="ho-tich", name="Khu vực riêng A", first_number=1001
        )
        self.area_b = ServiceArea.objects.create(center=self.b, code="ho-tich", name="Khu B")
        self.counter_a = Counter.objects.create(center=self.a, number=7, name="Quầy riêng A")
        self.counter_a.areas.add(self.area_a)
        self.counter_b = Counter.objects.create(center=self.b, number=1)
        self.counter_b.areas.add(self.area_b)
        self.queue_settings_a = QueueSettings.objects.create(
            center=self.a, display_notice="Thông báo riêng A"
        )
        self.ticket_a = Ticket.objects.create(
            center=self.a,
            area=self.area_a,
            issued_area=self.area_a,
            day=now.date(),
            sequence=1,
            number=1001,
            source="kiosk",
            issued_at=now,
            order_at=now,
        )
        self.appointment_a = Appointment.objects.create(
            center=self.a, area=self.area_a, starts_at=now, code="RIENGA", booked_at=now
        )
        from motcua.speech.models import Bulletin, CenterPronunciation

        self.bulletin_a = Bulletin.objects.create(
            center=self.a, title="Bản tin riêng A", text="Bản tin riêng A: họp thôn."
        )
        self.pronunciation_a = CenterPronunciation.objects.create(
            center=self.a, written="XRA", spoken="cách đọc riêng A"
        )

        # Issue 13: feedback with a contact, a rating tablet and a digital-team consent of A.
        from motcua.assist.models import AssistanceConsent
        from motcua.feedback.models import Feedback, RatingDevice

        self.feedback_a = Feedback.objects.create(
            center=self.a,
            reference="PAKN-250707-AAAAAA",
            kind="complaint",
            subject="Phản ánh riêng A",
            body=f"Tôi là {SECRET_APPLICANT.name}",
            dossier=self.dossier_a,
            contact_name=SECRET_APPLICANT.name,
            contact_phone=SECRET_APPLICANT.phone,
            contact_email=SECRET_APPLICANT.email,
            received_at=now,
            triage_due_at=now,
            due_at=now,
        )
        self.rating_device_a = RatingDevice.objects.create(
            center=self.a, counter=self.counter_a, name="Máy đánh giá riêng A"
        )
        self.helper_a = make_member("tocns_a", "digital_team", self.a)
        self.consent_a = AssistanceConsent.objects.create(
            center=self.a,
            member=self.helper_a,
            citizen_id_hash="0" * 64,
            contact_masked="ki***@example.vn",
            consent_text="Đồng ý",
            consent_checked_at=now,
            code_hash="0" * 64,
            code_expires_at=now,
            created_at=now,
        )
        self.helper_b = make_member("tocns_b", "digital_team", self.b)

    def objects_of_a(self):
        """Every admin-registered row of center A, with its model."""
        return [
            self.a,
            self.unit_a,
            self.officer_a.membership,
            self.admin_a.membership,
            self.officer_a,
            self.admin_a,
            self.dossier_a,
            self.kiosk_a,
            self.notice_a,
            self.certificate_a,
            self.signed_a,
            self.device_a,
            self.area_a,
            self.counter_a,
            self.queue_settings_a,
            self.ticket_a,
            self.appointment_a,
            self.bulletin_a,
            self.pronunciation_a,
            self.feedback_a,
            self.rating_device_a,
            self.consent_a,
        ]


@pytest.fixture
def tenants(db, settings, tmp_path) -> Tenants:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Tenants()
