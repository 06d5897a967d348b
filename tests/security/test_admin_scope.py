"""The Django admin, page by page, as the administrator of another center (GET and POST).

The administrator of center B holds every permission there is (the worst case a province could
configure) and still must not read or change one row of center A, nor grant themselves or
anyone more than a role. Superusers keep seeing everything, which also proves the markers would
be found if they leaked.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.centers.models import StaffMembership
from motcua.feedback.models import RatingDevice
from motcua.kiosk.models import KioskDevice
from motcua.signing.models import SigningCertificate
from motcua.workcalendar.models import CalendarDay

from .tenants import MARKERS, PASSWORD, leaked

User = get_user_model()


def url(obj, view: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_admin_b(client, tenants):
    return login(client, tenants.admin_b)


class TestEveryListAsAnotherCentersAdmin:
    @pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
    def test_list_shows_nothing_of_center_a(self, as_admin_b, tenants, model):
        response = as_admin_b.get(changelist(model))
        assert response.status_code in (200, 403)
        assert leaked(response.content) == []

    @pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
    def test_search_and_filters_show_nothing_of_center_a(self, as_admin_b, tenants, model):
        response = as_admin_b.get(changelist(model), {"q": "a"})
        assert leaked(response.content) == []
        # Other centers' names are not offered as filters.
        assert tenants.a.name not in response.content.decode()

    def test_index_lists_no_group_page(self, as_admin_b, tenants):
        response = as_admin_b.get(reverse("admin:index"))
        assert response.status_code == 200
        assert changelist(Group) not in response.content.decode()


class TestEveryObjectPageAsAnotherCentersAdmin:
    @pytest.mark.parametrize("view", ["change", "history", "delete"])
    def test_object_pages_of_center_a_are_closed(self, as_admin_b, tenants, view):
        for obj in tenants.objects_of_a():
            response = as_admin_b.get(url(obj, view))
            assert response.status_code in (302, 403, 404), (obj, view)
            assert leaked(response.content) == [], (obj, view)

    def test_posts_change_nothing(self, as_admin_b, tenants):
        for obj in tenants.objects_of_a():
            before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
            as_admin_b.post(url(obj, "change"), {"name": "Đã chiếm", "is_superuser": "on"})
            as_admin_b.post(url(obj, "delete"), {"post": "yes"})
            fresh = type(obj).objects.get(pk=obj.pk)
            after = {f.attname: getattr(fresh, f.attname) for f in obj._meta.concrete_fields}
            assert after == before, obj

    def test_password_of_center_a_staff_cannot_be_reset(self, as_admin_b, tenants):
        target = reverse("admin:auth_user_password_change", args=[tenants.officer_a.pk])
        assert as_admin_b.get(target).status_code in (403, 404)
        as_admin_b.post(
            target, {"password1": "chiem-quyen-2026!", "password2": "chiem-quyen-2026!"}
        )
        tenants.officer_a.refresh_from_db()
        assert tenants.officer_a.check_password(PASSWORD)

    @pytest.mark.parametrize(
        ("model", "action"),
        [
            ("kiosk", "issue_activation_code"),
            ("notice", "send_again_now"),
            ("dossier", "delete_selected"),
            ("user", "delete_selected"),
        ],
    )
    def test_actions_on_center_a_rows_do_nothing(self, as_admin_b, tenants, model, action):
        obj = {
            "kiosk": tenants.kiosk_a,
            "notice": tenants.notice_a,
            "dossier": tenants.dossier_a,
            "user": tenants.officer_a,
        }[model]
        before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        response = as_admin_b.post(
            changelist(type(obj)),
            {"action": action, "_selected_action": [obj.pk], "post": "yes"},
        )
        assert leaked(response.content) == []
        fresh = type(obj).objects.get(pk=obj.pk)
        assert {f.attname: getattr(fresh, f.attname) for f in obj._meta.concrete_fields} == before

    def test_autocomplete_offers_no_account_of_center_a(self, as_admin_b, tenants):
        response = as_admin_b.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "centers",
                "model_name": "staffmembership",
                "field_name": "user",
                "term": "",
            },
        )
        assert "canbo_a_rieng" not in response.content.decode()
        assert "quantri_a" not in response.content.decode()


class TestAccountsAsACenterAdmin:
    def test_sees_own_staff_but_no_superuser(self, as_admin_b, tenants):
        User.objects.create_superuser("it_tinh", password=PASSWORD)
        html = as_admin_b.get(changelist(User)).content.decode()
        assert "canbo_b" in html
        assert "it_tinh" not in html

    def test_change_form_has_no_privilege_fields(self, as_admin_b, tenants):
        html = as_admin_b.get(url(tenants.officer_b, "change")).content.decode()
        for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
            assert f'name="{field}"' not in html

    def test_posted_privileges_are_ignored(self, as_admin_b, tenants):
        superuser_group = Group.objects.create(name="Toàn quyền")
        response = as_admin_b.post(
            url(tenants.officer_b, "change"),
            {
                "username": "canbo_b",
                "first_name": "Tên",
                "last_name": "Họ",
                "email": "",
                "is_active": "on",
                "is_superuser": "on",
                "is_staff": "on",
                "groups": [superuser_group.pk],
                "user_permissions": [1, 2, 3],
            },
        )
        assert response.status_code == 302
        officer = User.objects.get(pk=tenants.officer_b.pk)
        assert not officer.is_superuser
        assert not officer.is_staff
        assert not officer.groups.filter(pk=superuser_group.pk).exists()
        assert not officer.user_permissions.exists()

    def test_new_account_joins_own_center_with_a_role_and_nothing_more(self, as_admin_b, tenants):
        response = as_admin_b.post(
            reverse("admin:auth_user_add"),
            {
                "username": "moi_b",
                "last_name": "Trần Văn",
                "first_name": "Mới",
                "role": "leader",
                "unit": tenants.unit_b.pk,
                "usable_password": "true",
                "password1": "mat-khau-dai-2026",
                "password2": "mat-khau-dai-2026",
                "is_superuser": "on",
                "is_staff": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        user = User.objects.get(username="moi_b")
        assert not user.is_superuser and not user.is_staff
        assert user.membership.center == tenants.b
        assert user.membership.role == "leader"
        assert list(user.groups.values_list("name", flat=True)) == ["Lãnh đạo UBND"]

    def test_new_account_cannot_join_another_center_or_be_a_provincial_viewer(
        self, as_admin_b, tenants
    ):
        base = {
            "username": "moi_b",
            "usable_password": "true",
            "password1": "mat-khau-dai-2026",
            "password2": "mat-khau-dai-2026",
        }
        as_admin_b.post(reverse("admin:auth_user_add"), {**base, "role": "provincial_viewer"})
        as_admin_b.post(
            reverse("admin:auth_user_add"),
            {**base, "role": "reception", "unit": tenants.unit_a.pk},
        )
        assert not User.objects.filter(username="moi_b").exists()

    def test_membership_cannot_become_provincial_or_move(self, as_admin_b, tenants):
        membership = tenants.officer_b.membership
        as_admin_b.post(
            url(membership, "change"),
            {
                "role": "provincial_viewer",
                "province": "Thành phố Hà Nội",
                "center": tenants.a.pk,
                "user": tenants.officer_a.pk,
                "is_active": "on",
            },
        )
        membership.refresh_from_db()
        assert membership.role == "reception"
        assert membership.center == tenants.b
        assert membership.user == tenants.officer_b

    def test_promoting_to_center_admin_opens_the_admin_and_demoting_closes_it(
        self, as_admin_b, tenants
    ):
        membership = tenants.member_b.membership
        form = {"role": "center_admin", "unit": "", "is_active": "on"}
        assert as_admin_b.post(url(membership, "change"), form).status_code == 302
        assert User.objects.get(pk=tenants.member_b.pk).is_staff
        assert as_admin_b.post(url(membership, "change"), {**form, "role": "specialist"})
        assert not User.objects.get(pk=tenants.member_b.pk).is_staff

    def test_unit_of_another_center_is_refused(self, as_admin_b, tenants):
        membership = tenants.officer_b.membership
        as_admin_b.post(
            url(membership, "change"),
            {"role": "reception", "unit": tenants.unit_a.pk, "is_active": "on"},
        )
        membership.refresh_from_db()
        assert membership.unit is None


class TestCenterAndDevicesAsACenterAdmin:
    def test_own_center_cannot_move_to_another_province_or_code(self, as_admin_b, tenants):
        response = as_admin_b.post(
            url(tenants.b, "change"),
            {
                "agency_code": "000.00.25.H45",
                "name": "Trung tâm xã Tân Sơn",
                "commune": "Xã Tân Sơn",
                "province": "Thành phố Hà Nội",
                "morning_start": "07:30",
                "morning_end": "11:30",
                "afternoon_start": "13:30",
                "afternoon_end": "17:00",
                "cutoff": "15:00",
                "units-TOTAL_FORMS": "0",
                "units-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        tenants.b.refresh_from_db()
        assert tenants.b.name == "Trung tâm xã Tân Sơn"
        assert tenants.b.agency_code == "000.00.26.H45"
        assert tenants.b.province != "Thành phố Hà Nội"

    def test_kiosk_cannot_be_registered_at_another_center(self, as_admin_b, tenants):
        as_admin_b.post(
            reverse("admin:kiosk_kioskdevice_add"),
            {"name": "Kiosk lạ", "center": tenants.a.pk, "is_active": "on", "idle_seconds": 90},
        )
        assert not KioskDevice.objects.filter(name="Kiosk lạ").exists()
        response = as_admin_b.post(
            reverse("admin:kiosk_kioskdevice_add"),
            {"name": "Kiosk mới B", "center": tenants.b.pk, "is_active": "on", "idle_seconds": 90},
        )
        assert response.status_code == 302
        assert KioskDevice.objects.get(name="Kiosk mới B").center == tenants.b

    def test_rating_tablet_counter_must_be_of_its_center(self, client, tenants):
        # Even a superuser, who may pick any center and any counter, cannot pair them across.
        login(client, User.objects.create_superuser("it_tinh", password=PASSWORD))
        add = reverse("admin:feedback_ratingdevice_add")
        fields = {"name": "Máy đánh giá lạc", "is_active": "on"}
        response = client.post(
            add, {**fields, "center": tenants.b.pk, "counter": tenants.counter_a.pk}
        )
        assert response.status_code == 200
        assert "Quầy phải thuộc trung tâm của thiết bị." in response.content.decode()
        assert not RatingDevice.objects.filter(name="Máy đánh giá lạc").exists()
        response = client.post(
            add, {**fields, "center": tenants.b.pk, "counter": tenants.counter_b.pk}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert RatingDevice.objects.get(name="Máy đánh giá lạc").counter == tenants.counter_b

    def test_certificate_must_be_a_key_of_the_own_center(self, as_admin_b, tenants):
        leader_b = User.objects.get(pk=tenants.member_b.pk)
        for path, env in [
            ("000.00.25.H45/lanhdao_a.p12", ""),
            ("/etc/ssl/private/key.p12", ""),
            ("000.00.26.H45/../000.00.25.H45/lanhdao_a.p12", ""),
            ("000.00.26.H45/b.p12", "SECRET_KEY"),
        ]:
            response = as_admin_b.post(
                reverse("admin:signing_signingcertificate_add"),
                {
                    "user": leader_b.pk,
                    "label": "thử",
                    "p12_path": path,
                    "passphrase_env": env,
                    "is_active": "on",
                },
            )
            assert response.status_code == 200, path
            assert "errorlist" in response.content.decode(), path

    def test_national_data_is_read_only(self, as_admin_b, tenants):
        day = CalendarDay.objects.create(date="2026-09-02", kind="holiday", name="Quốc khánh")
        as_admin_b.post(
            url(day, "change"), {"date": "03/09/2026", "kind": "workday", "name": "x", "note": ""}
        )
        day.refresh_from_db()
        assert str(day.date) == "2026-09-02"
        assert as_admin_b.get(reverse("admin:workcalendar_calendarday_add")).status_code == 403
        assert as_admin_b.get(reverse("admin:auth_group_changelist")).status_code == 403


class TestOthersInTheAdmin:
    def test_provincial_viewer_of_another_province_sees_no_row_of_a(self, client, tenants):
        login(client, tenants.viewer_far)
        for model in admin.site._registry:
            response = client.get(changelist(model))
            assert leaked(response.content) == [], model
        for obj in tenants.objects_of_a():
            response = client.get(url(obj, "change"))
            assert leaked(response.content) == [], obj

    def test_provincial_viewer_reads_own_province_centers_but_no_dossier(self, client, tenants):
        login(client, tenants.viewer_far)
        html = client.get(changelist(type(tenants.far))).content.decode()
        assert tenants.far.name in html
        assert tenants.a.name not in html
        from motcua.dossiers.models import Dossier

        assert client.get(changelist(Dossier)).status_code == 403

    def test_center_a_admin_sees_own_rows(self, client, tenants):
        login(client, tenants.admin_a)
        response = client.get(url(tenants.dossier_a, "change"))
        assert response.status_code == 200
        assert tenants.dossier_a.applicant_name in response.content.decode()
        assert client.get(url(tenants.dossier_b, "change")).status_code in (302, 403, 404)

    def test_superuser_sees_everything(self, client, tenants):
        login(client, User.objects.create_superuser("it_tinh", password=PASSWORD))
        seen = set()
        for model in admin.site._registry:
            seen.update(leaked(client.get(changelist(model)).content))
        for obj in tenants.objects_of_a():
            response = client.get(url(obj, "change"))
            assert response.status_code == 200, obj
            seen.update(leaked(response.content))
        assert seen == set(MARKERS)

    def test_officer_without_admin_role_cannot_enter(self, client, tenants):
        login(client, tenants.officer_b)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert not StaffMembership.objects.get(user=tenants.officer_b).user.is_staff


class TestAdminInVietnamese:
    def test_account_pages_read_in_vietnamese(self, as_admin_b, tenants):
        html = as_admin_b.get(reverse("admin:auth_user_add")).content.decode()
        assert "Đăng nhập bằng mật khẩu" in html
        assert "Sau khi tạo tài khoản" in html
        assert "Password-based authentication" not in html


class TestOfficerLoginInput:
    def test_nul_in_the_username_gets_a_vietnamese_message(self, client, db):
        response = client.post("/can-bo/dang-nhap/", {"username": "ab\x00c", "password": "x"})
        assert response.status_code == 200
        assert "Không được có ký tự rỗng" in response.content.decode()
        assert "_auth_user_id" not in client.session


class TestSuperuserMembership:
    def test_a_superusers_membership_is_out_of_a_center_admins_reach(self, as_admin_b, tenants):
        """Found by the black-box review: the membership list showed a superuser's membership at
        the center, and a POST deactivated it."""
        it = User.objects.create_superuser("it_tinh", password=PASSWORD)
        membership = StaffMembership.objects.create(user=it, center=tenants.b, role="specialist")
        assert "it_tinh" not in as_admin_b.get(changelist(StaffMembership)).content.decode()
        assert as_admin_b.get(url(membership, "change")).status_code in (302, 403, 404)
        as_admin_b.post(url(membership, "change"), {"role": "center_admin", "unit": ""})
        membership.refresh_from_db()
        assert (membership.role, membership.is_active) == ("specialist", True)

    def test_a_superusers_authenticator_is_out_of_a_center_admins_reach(self, as_admin_b, tenants):
        """Found by the black-box review: the device list showed the authenticator of a superuser
        with a membership at the center, and its delete page removed the superuser's second
        factor."""
        it = User.objects.create_superuser("it_tinh", password=PASSWORD)
        StaffMembership.objects.create(user=it, center=tenants.b, role="specialist")
        device = TOTPDevice.objects.create(user=it, name="Điện thoại IT tỉnh", confirmed=True)
        assert "Điện thoại IT tỉnh" not in as_admin_b.get(changelist(TOTPDevice)).content.decode()
        assert as_admin_b.get(url(device, "delete")).status_code in (302, 403, 404)
        as_admin_b.post(url(device, "delete"), {"post": "yes"})
        assert TOTPDevice.objects.filter(pk=device.pk).exists()

    def test_a_superusers_certificate_is_out_of_a_center_admins_reach(self, as_admin_b, tenants):
        """Found by the black-box review, beside the authenticator above: a superuser's
        certificate at the center could be deactivated or pointed at another key file."""
        it = User.objects.create_superuser("it_tinh", password=PASSWORD)
        StaffMembership.objects.create(user=it, center=tenants.b, role="leader")
        certificate = SigningCertificate.objects.create(
            user=it, label="Chứng thư IT tỉnh", p12_path="x/it.p12", common_name="IT tỉnh"
        )
        assert (
            "Chứng thư IT tỉnh"
            not in as_admin_b.get(changelist(SigningCertificate)).content.decode()
        )
        assert as_admin_b.get(url(certificate, "change")).status_code in (302, 403, 404)
        as_admin_b.post(url(certificate, "delete"), {"post": "yes"})
        assert SigningCertificate.objects.filter(pk=certificate.pk, is_active=True).exists()


# Columns that hold a citizen's personal data (Nghị định 13/2023/NĐ-CP).
CITIZEN_FIELDS = {
    "applicant_name",
    "applicant_id_number",
    "applicant_birth_date",
    "applicant_address",
    "applicant_phone",
    "applicant_email",
    "owner_id_number",
    "contact_name",
    "contact_phone",
    "contact_email",
    "recipient",
}


class TestAdminSearchKeepsPersonalDataOutOfUrls:
    """The admin searches by GET (``?q=`` on a list, ``?term=`` in an autocomplete): what is
    typed lands in the address bar, the browser history and every proxy's access log. A citizen's
    name or number must never be typed there; the officer inbox searches them by POST."""

    @pytest.mark.parametrize(
        "model_admin", list(admin.site._registry.values()), ids=lambda a: a.model._meta.label
    )
    def test_no_admin_searches_a_citizens_personal_data(self, model_admin):
        searched = {field.lstrip("^=@").split("__")[-1] for field in model_admin.search_fields}
        assert searched & CITIZEN_FIELDS == set()

    def test_a_citizens_name_in_the_list_search_finds_nothing(self, client, tenants):
        """Found by the black-box review: /admin/dossiers/dossier/?q=<họ tên> found the
        dossier, so the admin invited a citizen's name into the URL."""
        login(client, tenants.admin_a)
        response = client.get(
            changelist(type(tenants.dossier_a)), {"q": tenants.dossier_a.applicant_name}
        )
        assert response.status_code == 200
        assert tenants.dossier_a.code not in response.content.decode()

    def test_a_citizens_name_in_an_autocomplete_finds_nothing(self, client, tenants):
        login(client, tenants.admin_a)
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "notices",
                "model_name": "notice",
                "field_name": "dossier",
                "term": tenants.dossier_a.applicant_name,
            },
        )
        assert response.status_code == 200
        assert response.json()["results"] == []
