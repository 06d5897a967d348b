from django import template

register = template.Library()


@register.filter
def officer_name(user) -> str:
    """A person's name in Vietnamese order: họ và tên đệm, then tên ("Trần Thị Lan")."""
    if user is None:
        return ""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()
