# Wrong activation codes are now limited per client address (motcua.core.ratelimit), so a
# stranger's failures no longer count against, or cancel, a pending code.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kiosk", "0002_activation_failures"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="kioskdevice",
            name="activation_failures",
        ),
    ]
