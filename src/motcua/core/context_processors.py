from django.conf import settings


def site(request):
    return {"center_name": settings.MOTCUA_CENTER_NAME}
