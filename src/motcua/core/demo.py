"""The demo installation: what ``scripts/run`` sets up, and what only it may do.

The demo accounts share one published password (README). On any installation not marked as a
demo (``MOTCUA_DEMO``, off unless set), that password is refused at login, the commands that
create demo accounts refuse to run, and ``motcua check --deploy`` warns (``core.checks``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 (the published demo password, see README)


def is_demo_installation() -> bool:
    return bool(getattr(settings, "MOTCUA_DEMO", False))


def require_demo_installation() -> None:
    """Stop a command that would create accounts with the published demo password."""
    if not is_demo_installation():
        raise CommandError(
            _(
                "Lệnh này tạo tài khoản dùng thử với mật khẩu công khai, nên chỉ chạy trên bản "
                "cài dùng thử (biến môi trường MOTCUA_DEMO=1, scripts/run đã đặt sẵn). Khi triển "
                "khai thật, tạo tài khoản bằng “motcua createsuperuser” và trang quản trị."
            )
        )
