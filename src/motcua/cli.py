"""The ``motcua`` command: Django's management commands under the product's name.

``motcua eval-find`` and ``motcua demo-accounts`` are spelled with hyphens for people; the
commands live in modules with underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    args[0] = "motcua"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    if len(args) > 1 and args[1] == "restore" and not os.environ.get("SECRET_KEY"):
        # A restore starts from an empty var/ without a secret key (it arrives with the archive);
        # the settings refuse to load without one, and restoring signs nothing.
        import secrets

        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
        os.environ["MOTCUA_RESTORE_KEYLESS"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
