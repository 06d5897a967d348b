"""Errors of the speech module; their messages are Vietnamese (shown to officers and IT staff)
and never include the text being spoken (it may hold a citizen's name or number)."""


class SpeechError(Exception):
    """Speech cannot be produced at all (no text, no working voice, unknown format)."""


class VoiceError(SpeechError):
    """One voice failed; the caller falls back to espeak-ng."""


class TextNotCovered(VoiceError):
    """A limited voice (the clip set) has no words for this text: an expected fallback, so it is
    logged at info level, not as a warning on every radio bulletin."""
