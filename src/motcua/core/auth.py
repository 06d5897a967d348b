"""The login guard against the published demo password on a real installation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from motcua.core.demo import DEMO_PASSWORD, is_demo_installation


class DemoPasswordRefused(ValidationError):
    pass


class DemoPasswordGuard:
    """First in AUTHENTICATION_BACKENDS: refuses the demo password unless MOTCUA_DEMO is on.

    It only ever refuses: it has no ``get_user`` (nor permission methods), so it is never the
    backend a session is bound to (``Client.force_login`` and ``login()`` without a backend take
    the first backend that has ``get_user``) and never grants anything.

    It refuses the password itself, before any backend compares it with a stored hash, so an
    account created by ``demo-accounts`` / ``demo-center`` (or given that password by hand)
    cannot log in where the password is public knowledge. It raises a ValidationError, not
    PermissionDenied, because Django's AuthenticationForm (the officer login and the admin
    login both use it) turns a ValidationError from ``clean()`` into the form's message, while
    PermissionDenied would end in the generic "wrong password" that hides what to do. Any other
    caller of ``authenticate()`` must catch it (the JSON API has no password login).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None or is_demo_installation():
            return None
        if constant_time_compare(password, DEMO_PASSWORD):
            raise DemoPasswordRefused(
                _(
                    "Mật khẩu dùng thử không dùng được trên hệ thống thật. Xin quản trị viên đặt "
                    "một mật khẩu riêng cho tài khoản này (trang quản trị, hoặc lệnh “motcua "
                    "changepassword <tên đăng nhập>”) rồi đăng nhập lại."
                ),
                code="demo_password",
            )
        return None
