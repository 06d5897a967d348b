"""Password rules: at least 10 characters, every message in Vietnamese, on every set-password path."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.security.conftest import PASSWORD


def messages_for(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.django_db
class TestValidatePassword:
    def test_nine_characters_are_too_short_in_vietnamese(self):
        assert messages_for("k7#mQ2!zx") == ["Mật khẩu quá ngắn: cần ít nhất 10 ký tự."]

    def test_ten_characters_are_enough(self):
        assert messages_for("k7#mQ2!zxW") == []

    def test_demo_and_test_passwords_still_pass(self):
        assert messages_for("motcua-demo-2026") == []
        assert messages_for(PASSWORD) == []

    def test_common_numeric_and_similar_passwords_are_refused_in_vietnamese(self):
        user = get_user_model()(username="nguyenvanminh")
        assert messages_for("password1234") == ["Mật khẩu này quá phổ biến."]
        assert messages_for("73918246501") == ["Mật khẩu này hoàn toàn là số."]
        assert messages_for("nguyenvanminh1", user) == ["Mật khẩu quá giống với Tên đăng nhập."]


@pytest.mark.django_db
class TestSetPasswordForms:
    def test_admin_add_user_form_refuses_a_short_password(self):
        form = AdminUserCreationForm(
            {
                "username": "canbo-moi",
                "password1": "k7#mQ2!zx",
                "password2": "k7#mQ2!zx",
                "usable_password": "true",
            }
        )
        assert not form.is_valid()
        assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in form.errors["password2"]

    def test_admin_change_password_form_refuses_a_short_password(self):
        user = get_user_model().objects.create_user("canbo", password=PASSWORD)
        form = AdminPasswordChangeForm(
            user, {"password1": "k7#mQ2!zx", "password2": "k7#mQ2!zx", "usable_password": "true"}
        )
        assert not form.is_valid()
        assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in form.errors["password2"]

    def test_admin_change_password_page_enforces_it(self, client):
        admin = get_user_model().objects.create_superuser("sieuquantri", "a@b.vn", PASSWORD)
        user = get_user_model().objects.create_user("canbo", password=PASSWORD)
        client.force_login(admin)
        url = f"/admin/auth/user/{user.pk}/password/"
        response = client.post(
            url, {"password1": "k7#mQ2!zx", "password2": "k7#mQ2!zx", "usable_password": "true"}
        )
        assert response.status_code == 200
        assert "Mật khẩu quá ngắn" in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
