"""System checks for ``motcua check --deploy``: no demo mode, no demo password in use."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

from motcua.core.demo import DEMO_PASSWORD, is_demo_installation

MAX_NAMES_SHOWN = 10


@register(Tags.security, deploy=True)
def demo_installation_check(app_configs=None, **kwargs) -> list[Warning]:
    warnings = []
    if is_demo_installation():
        warnings.append(
            Warning(
                _("MOTCUA_DEMO đang bật: mật khẩu dùng thử công khai vẫn đăng nhập được."),
                hint=_("Bỏ MOTCUA_DEMO trên mọi bản cài giữ dữ liệu thật của người dân."),
                id="motcua.W002",
            )
        )
    names = _users_with_demo_password()
    if names:
        shown = ", ".join(names[:MAX_NAMES_SHOWN]) + (", …" if len(names) > MAX_NAMES_SHOWN else "")
        warnings.append(
            Warning(
                _(
                    "%(count)d tài khoản đang hoạt động vẫn dùng mật khẩu dùng thử công khai: %(names)s."
                )
                % {"count": len(names), "names": shown},
                hint=_(
                    "Đặt mật khẩu riêng (motcua changepassword <tên đăng nhập>) hoặc khóa các "
                    "tài khoản này."
                ),
                id="motcua.W001",
            )
        )
    return warnings


def _users_with_demo_password() -> list[str]:
    """Usernames of active accounts whose password is the demo password.

    Each account costs one password hash (about a third of a second with Django's default
    PBKDF2), which a deploy check can afford. ``check_password`` from the hashers module is used
    because the model's method would also rewrite the stored hash. A database that is not
    migrated yet (a first ``check --deploy``) has no accounts to warn about.
    """
    try:
        rows = list(
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(password="")
            .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
            .order_by("username")
            .values_list("username", "password")
        )
    except DatabaseError:
        return []
    return [username for username, encoded in rows if check_password(DEMO_PASSWORD, encoded)]


@register(Tags.database)
def pooled_listener_check(app_configs=None, **kwargs) -> list[Warning]:
    """Behind PgBouncer in transaction mode the calling displays' LISTEN needs PostgreSQL itself.

    ``DB_DISABLE_SERVER_SIDE_CURSORS`` is what docs/deploy.md sets for a transaction-mode
    pooler; without ``MOTCUA_LISTEN_DATABASE_URL`` the displays' listener would hear nothing
    through it and every TV would fall back to reading the rows every second.
    """
    from django.conf import settings
    from django.db import connections

    database = connections["default"]
    return pooled_listener_warnings(
        vendor=database.vendor,
        server_side_cursors_disabled=bool(
            database.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        ),
        listen_url=getattr(settings, "MOTCUA_LISTEN_DATABASE_URL", ""),
    )


def pooled_listener_warnings(
    *, vendor: str, server_side_cursors_disabled: bool, listen_url: str
) -> list[Warning]:
    if vendor != "postgresql" or not server_side_cursors_disabled or listen_url:
        return []
    return [
        Warning(
            _(
                "DB_DISABLE_SERVER_SIDE_CURSORS đang bật (PgBouncer chế độ transaction?) nhưng "
                "chưa đặt MOTCUA_LISTEN_DATABASE_URL: màn hình gọi số sẽ không nhận được thông "
                "báo qua PgBouncer và phải đọc lại cơ sở dữ liệu mỗi giây."
            ),
            hint=_(
                "Đặt MOTCUA_LISTEN_DATABASE_URL trỏ thẳng tới PostgreSQL (không qua PgBouncer), "
                "xem docs/deploy.md."
            ),
            id="motcua.W003",
        )
    ]
