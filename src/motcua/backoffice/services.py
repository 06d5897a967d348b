"""Role groups for the Django admin, kept in step with staff memberships.

Memberships (``centers.StaffMembership``) decide who sees and does what in the back office.
Groups named after the roles only carry Django admin permissions (a center admin manages staff
and units; a provincial viewer reads). Callers run these inside their own transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from motcua.dossiers.states import Role

# Admin permissions per role, as "app_label.codename". Officers other than the center admin work
# in the back office only, so their groups carry no admin permission.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.RECEPTION: (),
    Role.SPECIALIST: (),
    Role.LEADER: (),
    Role.CENTER_ADMIN: (
        "centers.view_center",
        "centers.change_center",
        "centers.view_unit",
        "centers.add_unit",
        "centers.change_unit",
        "centers.delete_unit",
        "centers.view_staffmembership",
        "centers.add_staffmembership",
        "centers.change_staffmembership",
        "centers.delete_staffmembership",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "dossiers.view_dossier",
        "kiosk.view_kioskdevice",
        "kiosk.add_kioskdevice",
        "kiosk.change_kioskdevice",
        "notices.view_notice",
        "notices.change_notice",
        "signing.view_signingcertificate",
        "signing.add_signingcertificate",
        "signing.change_signingcertificate",
        "signing.view_signedresult",
        # The commune radio (officers work on /can-bo/dai-truyen-thanh/; the admin is for
        # overview and clean-up).
        "speech.view_bulletin",
        "speech.change_bulletin",
        "speech.delete_bulletin",
        "speech.view_centerpronunciation",
        "speech.add_centerpronunciation",
        "speech.change_centerpronunciation",
        "speech.delete_centerpronunciation",
        # A lost phone: the center administrator removes the officer's authenticator device.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ),
    # Whole records hold personal data; a provincial viewer reads dossiers (masked) in the back
    # office, and in the admin only the centers and units of their province.
    Role.PROVINCIAL_VIEWER: ("centers.view_center", "centers.view_unit"),
    # The digital team works in its own pages (motcua.assist) and never in the admin.
    Role.DIGITAL_TEAM: (),
}


def role_group_name(role: str) -> str:
    return str(Role(role).label)


def ensure_role_groups(using: str = "default") -> dict[str, Group]:
    """One group per role, named with its Vietnamese label, with its admin permissions."""
    groups = {}
    for role in Role.values:
        group, _created = Group.objects.using(using).get_or_create(name=role_group_name(role))
        wanted = ROLE_PERMISSIONS[role]
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is not None:
                permissions.append(permission)
        # Added, never removed: a province may grant a group more than the defaults.
        group.permissions.add(*permissions)
        groups[role] = group
    return groups


def sync_role_groups(user) -> None:
    """Put the user in the group of their active membership's role and in no other role group."""
    from motcua.centers.models import StaffMembership

    groups = ensure_role_groups()
    membership = StaffMembership.objects.filter(user=user, is_active=True).first()
    user.groups.remove(
        *[g for role, g in groups.items() if not membership or role != membership.role]
    )
    if membership is not None:
        user.groups.add(groups[membership.role])
    # The admin opens to staff accounts only: a center administrator needs it, other officers
    # work in the back office and must not hold a key to it. A superuser keeps theirs.
    if not user.is_superuser:
        is_staff = membership is not None and membership.role == Role.CENTER_ADMIN
        if user.is_staff != is_staff:
            user.is_staff = is_staff
            user.save(update_fields=["is_staff"])
