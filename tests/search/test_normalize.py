import unicodedata

import pytest

from motcua.search.normalize import (
    Vocabulary,
    clean,
    contains_phrase,
    fold,
    folded_words,
    has_diacritics,
    numerals,
    words,
)


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

    def test_remembered_and_long_texts_fold_alike(self):
        short, long = "Quyết", "Đăng ký khai sinh có yếu tố nước ngoài cho con " * 3
        assert fold(short) == fold(short) == "quyet"
        assert fold(long) == " ".join(["dang ky khai sinh co yeu to nuoc ngoai cho con"] * 3)
        # Decomposed input is folded as its NFC form, remembered or not.
        assert fold(unicodedata.normalize("NFD", short)) == "quyet"


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

    def test_what_citizens_type_does_not_grow_the_restore_table(self):
        # The catalog syllables' rankings are kept between queries; unknown tokens are not.
        assert self.vocab.restore(["xyzzy", "khai", "sinh"]) == ["xyzzy", "khai", "sinh"]
        kept = {token for token, _ in self.vocab._tops}
        assert "khai" in kept and "xyzzy" not in kept


class TestSoundAlikeRepair:
    """Sound-alike repair must not turn a real word into a catalog word (issue 12)."""

    vocab = Vocabulary(
        [
            "đăng ký tạm trú",
            "gia hạn tạm trú",
            "hết hạn tạm trú",
            "cai nghiện ma túy",
            "mặt hàng kinh doanh",
            "điều chỉnh thông tin cư trú",
            "thôn xóm",
        ]
    )

    def test_real_word_kept_without_context(self):
        # "nghiêng" (a leaning tree) is a word; the catalog's "nghiện" must not replace it.
        assert self.vocab.repair_all(["cay", "nghieng", "sap", "do"]) == [
            "cay",
            "nghieng",
            "sap",
            "do",
        ]

    def test_real_word_repaired_when_the_pair_is_known(self):
        # "tạm chú" is how a recognizer writes "tạm trú".
        assert self.vocab.repair_all(["dang", "ky", "tam", "chu"]) == ["dang", "ky", "tam", "tru"]

    def test_known_word_out_of_place_read_as_its_sound_alike(self):
        # "hàng" and "thôn" are catalog words, but "hết hàng tạm trú" and "thôn tin" are slips.
        assert self.vocab.repair_all(["het", "hang", "tam", "tru"]) == [
            "het",
            "han",
            "tam",
            "tru",
        ]
        assert self.vocab.repair_all(["thon", "tin", "cu", "tru"])[0] == "thong"

    def test_a_rare_pair_does_not_hide_a_common_sound_alike(self):
        # "già hàng" occurs once in the catalog, "gia hạn" in many names: "gia hạng" is a slip.
        vocab = Vocabulary(["người già hàng tháng"] + ["gia hạn giấy phép"] * 8)
        assert vocab.repair_all(["gia", "hang", "tam", "tru"])[1] == "han"
        # ...but not when the sound-alike's pair is itself rare ("nghỉ hẳn" stays).
        vocab = Vocabulary(["nghỉ hẳn", "nghỉ hàng ngày"])
        assert vocab.repair_all(["nghi", "han", "roi"])[1] == "han"

    def test_known_word_in_place_and_fillers_kept(self):
        assert self.vocab.repair_all(["mat", "hang", "kinh", "doanh"])[1] == "hang"
        assert self.vocab.repair_all(["gio", "tam", "tru"])[0] == "gio"

    def test_non_word_repaired_freely(self):
        assert self.vocab.repair("nghienj") == "nghien"


class TestDictionary:
    def test_viet74k_syllables_loaded(self):
        from motcua.search.normalize import dictionary_folded, dictionary_syllables

        assert {"nghiêng", "tủ", "mạ", "răng"} <= dictionary_syllables()
        assert "sihn" not in dictionary_folded()


class TestNumerals:
    """Number words read as digits, as the catalog writes ages (issue 12)."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("cháu đã đủ mười tám tuổi", "cháu đã đủ 18 tuổi"),
            ("mẹ tôi tám mươi hai tuổi", "mẹ tôi 82 tuổi"),
            ("sắp hai lăm tuổi", "sắp 25 tuổi"),
            ("con hai tuổi", "con 2 tuổi"),
            ("mười năm không có con", "10 năm không có con"),
            ("ông tám mươi mấy tuổi", "ông 80 mấy tuổi"),
        ],
    )
    def test_number_words_become_digits(self, text, expected):
        assert " ".join(numerals(words(text))) == expected

    @pytest.mark.parametrize(
        "text",
        ["ba mất năm chín lăm", "bảo hiểm xã hội một lần", "xây nhà hai tầng", "năm nay"],
    )
    def test_a_year_a_father_or_a_count_is_left_alone(self, text):
        assert " ".join(numerals(words(text))) == text

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("chau da du muoi tam tuoi", "chau da du 18 tuoi"),
            ("me toi tam muoi hai tuoi", "me toi 82 tuoi"),
            ("con muoi tuoi", "con 10 tuoi"),
            ("lam muoi", "lam muoi"),
            ("dang ky tam tru", "dang ky tam tru"),
        ],
    )
    def test_typed_without_diacritics(self, text, expected):
        assert " ".join(numerals(words(text), plain=True)) == expected
        # Without the flag a plain "tam" (tạm) or "muoi" (muối) is never a number.
        assert numerals(words(text)) == words(text)


class TestSpellingWithIOrY:
    vocab = Vocabulary(["đăng ký khai sinh", "quản lý hộ kinh doanh", "ký hợp đồng"])

    def test_the_catalog_spelling_is_taken_where_its_pair_fits(self):
        assert self.vocab.repair_all(["dang", "ki", "khai", "sinh"])[1] == "ky"
        assert self.vocab.repair_all(["quan", "li", "ho"])[1] == "ly"

    def test_a_syllable_whose_pair_the_catalog_lacks_is_kept(self):
        assert self.vocab.repair_all(["ti", "vi"]) == ["ti", "vi"]


class TestRepairAsWritten:
    """A request written with diacritics is repaired by its words as written (issue 12)."""

    vocab = Vocabulary(
        [
            "đăng ký thường trú",
            "cư trú trên địa bàn",
            "khiếu nại, tố cáo",
            "cấp văn bằng",
            "dân tộc",
            "nghĩa vụ quân sự",
            "hết hạn tạm trú",
            "mặt hàng",
            "thẻ bảo hiểm y tế",
        ]
    )

    def repaired(self, text: str) -> list[str]:
        ws = text.split()
        return self.vocab.repair_all([fold(w) for w in ws], ws)

    def test_a_misheard_consonant_with_the_same_vowel_and_tone_is_repaired(self):
        assert self.repaired("đăng ký thường chú") == ["dang", "ky", "thuong", "tru"]
        assert self.repaired("nghĩa dụ quân sự")[1] == "vu"
        assert self.repaired("hết hạng tạm trú")[1] == "han"
        # A final m heard as n: "bảo hiển" is "bảo hiểm".
        assert self.repaired("mua bảo hiển y tế")[2] == "hiem"

    def test_a_correct_word_with_another_tone_is_kept(self):
        # Folded, "chữ" is "chu" and "trú trên" a catalog pair: it became "trú".
        assert self.repaired("sai một chữ trên giấy")[2] == "chu"
        # "văn" is no "dân" (another vowel): "dăn" is no catalog word.
        assert self.repaired("văn bằng")[0] == "van"

    def test_a_pair_across_the_catalog_punctuation_is_no_reason_to_repair(self):
        # Folded, "lại tờ" looked like "nại tố" (khiếu nại, tố cáo); written, "tờ" is no "tố".
        assert self.repaired("cần có lại tờ giấy")[2] == "lai"

    def test_a_filler_is_spared_only_in_its_own_spelling(self):
        # Folded, "chợ" is the filler "cho"; written, "chợ cấp" is a misheard "trợ cấp"...
        vocab = Vocabulary(["trợ cấp xã hội"] * 4 + ["hỗ trợ mua thẻ"] * 2 + ["chợ"])

        def repaired(text: str) -> list[str]:
            return vocab.repair_all(folded_words(text), words(text))

        assert repaired("hưởng chợ cấp xã hội")[1] == "tro"
        # ...but a market is no "trợ mua", a pair two names share.
        assert repaired("ra chợ mua rau")[1] == "cho"
        assert repaired("cho tôi hỏi trợ cấp")[0] == "cho"

    def test_without_the_written_words_the_folded_repair_is_kept(self):
        assert self.vocab.repair_all(["dang", "ky", "thuong", "chu"])[3] == "tru"


class TestHasDiacritics:
    def test_punctuation_is_no_diacritic(self):
        # Folding drops punctuation: compared as whole texts, every request with a comma
        # looked typed with diacritics.
        assert not has_diacritics("Toi o xa bien gioi, lam mat giay thong hanh")
        assert not has_diacritics("A")

    def test_a_mark_or_a_d_with_a_stroke_counts(self):
        assert has_diacritics("tôi muốn")
        assert has_diacritics("di, đi")
