"""Word error rate: what counts as the same word."""

from __future__ import annotations

from motcua.speech.wer import errors, syllable_key, wer


class TestSyllableKey:
    def test_old_and_new_tone_placement_are_one_syllable(self):
        for old, new in [("hoá", "hóa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("hoà", "hòa")]:
            assert syllable_key(old) == syllable_key(new), (old, new)

    def test_a_different_tone_or_vowel_is_a_different_syllable(self):
        assert syllable_key("hoa") != syllable_key("hóa")  # no tone vs sắc
        assert syllable_key("hóa") != syllable_key("hỏa")  # sắc vs hỏi
        assert syllable_key("người") != syllable_key("ngươi")
        assert syllable_key("tâm") != syllable_key("tăm")  # circumflex vs breve stay


class TestErrors:
    def test_tone_placement_is_not_an_error(self):
        assert errors("văn hoá công ty", "văn hóa công ty") == (0, 4)

    def test_a_wrong_tone_is_an_error(self):
        assert errors("văn hoá công ty", "văn hoa công ty") == (1, 4)

    def test_digits_in_the_reference_are_said_as_words(self):
        assert errors("Ví dụ 2.", "ví dụ hai") == (0, 3)

    def test_insertions_and_deletions_count(self):
        assert errors("một hai ba", "một ba bốn năm") == (3, 3)
        assert wer("một hai ba bốn", "một hai") == 0.5
