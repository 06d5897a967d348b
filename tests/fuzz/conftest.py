"""The back office's fixtures (centers, officers, a dossier, a frozen clock) for the fuzz tests."""

from tests.backoffice.conftest import (  # noqa: F401 - fixtures
    center,
    clock,
    demo_pki,
    dossier,
    media_root,
    officers,
    other_center,
    pki_settings,
    procedure,
    unit,
)
from tests.kiosk.conftest import demo_center, kiosk_client, kiosk_device  # noqa: E402,F401
