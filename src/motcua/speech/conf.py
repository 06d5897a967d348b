"""Speech settings: Django settings when configured, else the environment, else a default.

The queue display and the loudspeaker PC may run the speech command without the full project
settings (a technician testing a voice), so every value also reads from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "MOTCUA_SPEECH_VOICE": "espeak",
    "MOTCUA_SPEECH_CACHE": "",  # empty: <VAR_DIR>/speech-cache
    "MOTCUA_SPEECH_CACHE_MAX_MB": 200,
    "MOTCUA_SPEECH_CLIPS_DIR": "",  # empty: <VAR_DIR>/speech-clips
    "MOTCUA_SPEECH_PRONUNCIATIONS": "",
    "MOTCUA_SPEECH_ESPEAK_VOICE": "vi",
    "MOTCUA_SPEECH_ESPEAK_RATE": 150,
    "MOTCUA_SPEECH_PIPER_MODEL": "",
    "MOTCUA_SPEECH_HTTP_URL": "",
    "MOTCUA_SPEECH_HTTP_TIMEOUT": 10,
}


def setting(name: str, default: Any = None) -> Any:
    if default is None:
        default = DEFAULTS.get(name)
    try:
        from django.conf import settings

        if settings.configured and hasattr(settings, name):
            return getattr(settings, name)
    except ImportError:  # pragma: no cover - Django is a dependency; kept for bare scripts
        pass
    return os.environ.get(name, default)


def var_dir() -> Path:
    try:
        from django.conf import settings

        if settings.configured and hasattr(settings, "VAR_DIR"):
            return Path(settings.VAR_DIR)
    except ImportError:  # pragma: no cover
        pass
    return Path(os.environ.get("MOTCUA_VAR_DIR", "var")).resolve()


def cache_dir() -> Path:
    return Path(setting("MOTCUA_SPEECH_CACHE") or var_dir() / "speech-cache")


def clips_dir() -> Path:
    return Path(setting("MOTCUA_SPEECH_CLIPS_DIR") or var_dir() / "speech-clips")
