import unicodedata

from motcua.search.normalize import Vocabulary, clean, contains_phrase, fold, folded_words


class TestClean:
    def test_nfd_input_becomes_nfc(self):
        decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
        assert clean(decomposed) == "Đăng ký khai sinh"
        assert unicodedata.is_normalized("NFC", clean(decomposed))

    def test_control_characters_and_whitespace_removed(self):
        assert clean("khai\x00 sinh\u200b\t\n  cho con\x1b") == "khai sinh cho con"


class TestFold:
    def test_d_stroke_and_tones_folded(self):
        assert fold("ĐĂNG KÝ ĐẤT ĐAI") == "dang ky dat dai"
        assert folded_words("Sổ đỏ, lần đầu!") == ["so", "do", "lan", "dau"]


class TestContainsPhrase:
    def test_whole_syllables_only(self):
        assert contains_phrase(["lam", "so", "do"], ["so", "do"])
        assert not contains_phrase(["lam", "sodo"], ["so", "do"])
        assert not contains_phrase(["so"], ["so", "do"])


class TestVocabulary:
    vocab = Vocabulary(
        [
            "Đăng ký khai sinh",
            "đăng ký kết hôn",
            "làm sổ đỏ lần đầu",
            "được cấp giấy chứng nhận",
            "những giấy tờ cần nộp",
        ]
    )

    def test_telex_leftovers_repaired(self):
        assert self.vocab.repair("dduowcj") == "duoc"
        assert self.vocab.repair("ddang") == "dang"
        assert self.vocab.repair(fold("nhưngx")) == "nhung"

    def test_known_and_unknown_tokens_kept(self):
        assert self.vocab.repair("khai") == "khai"
        assert self.vocab.repair("xyzzy") == "xyzzy"

    def test_diacritics_restored_from_context(self):
        assert self.vocab.restore(["lam", "so", "do", "lan", "dau"]) == [
            "làm",
            "sổ",
            "đỏ",
            "lần",
            "đầu",
        ]
        assert self.vocab.restore(["dang", "ky", "ket", "hon"]) == ["đăng", "ký", "kết", "hôn"]
