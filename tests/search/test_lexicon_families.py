"""The shipped lexicon's sibling rules (issue 12, seventh pass), read through the qualifiers."""

import pytest

from motcua.search.lexicon import Lexicon
from motcua.search.normalize import folded_words


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load()


def qualifier(lexicon, name: str):
    folded = tuple(folded_words(name))
    return next(q for q in lexicon.qualifiers if q.name_contains == folded)


def padded(text: str) -> str:
    return f" {' '.join(folded_words(text))} "


class TestRoleStartAgainstItsLaterSteps:
    """Recognising a mediator or registering a guardian is not what a request about an
    existing one asks for: quitting, an accident on duty, the pay, oversight or the end
    (Luật Hòa giải ở cơ sở 2013, Điều 8-10, 14; Bộ luật Dân sự 2015, Điều 51, 62)."""

    @pytest.mark.parametrize(
        "query",
        [
            "bố tôi già rồi muốn xin thôi làm hòa giải viên",
            "hòa giải viên thôn bị đánh khi đi hòa giải có được hỗ trợ không",
            "hòa giải viên nhận thù lao theo vụ việc ở đâu",
        ],
    )
    def test_later_steps_speak_against_recognition(self, lexicon, query):
        assert not qualifier(lexicon, "công nhận hòa giải viên").evidenced_by(padded(query))

    def test_a_new_mediator_is_still_recognised(self, lexicon):
        query = "thôn vừa bầu tôi làm hòa giải viên, xã công nhận thế nào"
        assert qualifier(lexicon, "công nhận hòa giải viên").evidenced_by(padded(query))

    @pytest.mark.parametrize(
        ("query", "plain"),
        [
            ("đăng ký giám hộ cho cháu mồ côi", True),
            ("tôi được cử làm người giám sát việc giám hộ của anh tôi", False),
            ("cháu đã đủ tuổi, muốn chấm dứt giám hộ", False),
        ],
    )
    def test_guardianship_registration(self, lexicon, query, plain):
        assert qualifier(lexicon, "đăng ký giám hộ").evidenced_by(padded(query)) is plain


class TestFoundingAgainstAnExistingRegistration:
    """A request about a registration that exists or is under way (a change, an error on the
    certificate, a withdrawn application, a lost certificate) is not a founding (Nghị định
    01/2021/NĐ-CP, Điều 90-95; Nghị định 92/2024/NĐ-CP for cooperative groups)."""

    @pytest.mark.parametrize(
        "query",
        [
            "tôi đã đăng ký hộ kinh doanh, giờ muốn đổi địa chỉ cửa hàng",
            "giấy đăng ký kinh doanh ghi sai số căn cước của tôi",
            "nộp hồ sơ mở quán rồi nhưng đổi ý, muốn lấy hồ sơ về",
        ],
    )
    def test_household_business(self, lexicon, query):
        founding = qualifier(lexicon, "^đăng ký thành lập hộ kinh doanh")
        assert not founding.evidenced_by(padded(query))

    def test_a_new_shop_is_still_a_founding(self, lexicon):
        founding = qualifier(lexicon, "^đăng ký thành lập hộ kinh doanh")
        assert founding.evidenced_by(padded("tôi muốn mở tiệm tạp hóa, đăng ký kinh doanh"))

    @pytest.mark.parametrize(
        ("query", "founding"),
        [
            ("mấy hộ trong xóm muốn lập tổ hợp tác trồng rau", True),
            ("tổ hợp tác của chúng tôi muốn giải thể", False),
            ("tổ hợp tác thay đổi người đại diện", False),
        ],
    )
    def test_cooperative_group(self, lexicon, query, founding):
        q = qualifier(lexicon, "^đăng ký thành lập tổ hợp tác")
        assert q.evidenced_by(padded(query)) is founding


class TestIrrigationWorksZone:
    """The permits "trong phạm vi bảo vệ công trình thủy lợi" (Luật Thủy lợi 2017, Điều 44)
    need a sign of such works; a boat on a river or a building permit gives none."""

    @pytest.mark.parametrize(
        ("query", "zone"),
        [
            ("xin phép cho ghe máy chạy trong kênh thủy lợi", True),
            ("muốn nuôi cá lồng trong lòng hồ chứa", True),
            ("trồng cây trên bờ đê", True),
            # folded "đê" is "để", "cống" is "công", "đập" is "đạp", "mặt hồ" is "mất hộ"
            ("mua chiếc ghe để chở cát trên sông, chưa đăng ký", False),
            ("công an xã hẹn lên làm giấy, đi xe đạp bị mất hộ khẩu", False),
        ],
    )
    def test_evidence(self, lexicon, query, zone):
        q = qualifier(lexicon, "trong phạm vi bảo vệ công trình thủy lợi")
        assert q.evidenced_by(padded(query)) is zone


class TestFirstIdentityCertificateAgainstLaterSteps:
    """Collecting a stateless person's data ends in the *first* identity certificate; a lost,
    damaged or expired one is re-issued or exchanged (Luật Căn cước 2023, Điều 30-31)."""

    @pytest.mark.parametrize(
        ("query", "first"),
        [
            ("tôi là người gốc việt chưa có quốc tịch, muốn làm giấy chứng nhận căn cước", True),
            (
                "nguoi goc viet chua xac dinh quoc tich, giay chung nhan can cuoc bi hu muon doi",
                False,
            ),
            ("người không quốc tịch bị mất giấy chứng nhận căn cước", False),
        ],
    )
    def test_evidence(self, lexicon, query, first):
        q = qualifier(lexicon, "^thu thập, cập nhật thông tin của người gốc việt nam")
        assert q.evidenced_by(padded(query)) is first


class TestHearsayFrames:
    """ "Nghe nói", "người ta bảo" say where the citizen heard of a procedure, not which one;
    their words in the query ("nghe" restored as "nghề") pulled toward occupations."""

    @pytest.mark.parametrize(
        "query",
        [
            "nghe nói phải có xác nhận diện tích nhà ở",
            "người ta bảo phải xin giấy phép xây dựng",
        ],
    )
    def test_hearsay_is_not_content(self, lexicon, query):
        mask = lexicon.content_mask(folded_words(query))
        assert mask[:2] == [False, False] and all(mask[-3:])

    def test_a_trade_is_still_content(self, lexicon):
        assert all(lexicon.content_mask(folded_words("hỗ trợ học nghề cho người khuyết tật")))


class TestBoatBoughtFromSomeone:
    """A boat or a jet ski bought from its owner is re-registered (đăng ký lại), not registered
    for the first time (the catalog's "Đăng ký lại phương tiện trong trường hợp chuyển quyền sở
    hữu phương tiện…"); a boat already working but never registered still is, so only the
    new-boat and the water-sport first registrations take the words against."""

    @pytest.mark.parametrize(
        "name",
        ["lần đầu đối với phương tiện chưa khai thác", "giải trí dưới nước lần đầu"],
    )
    def test_a_change_of_owner_speaks_against_a_first_registration(self, lexicon, name):
        query = "mua lại hai chiếc ca nô của người khác, giấy đăng ký làm thế nào"
        assert not qualifier(lexicon, name).evidenced_by(padded(query))
        assert qualifier(lexicon, name).evidenced_by(padded("mới đóng chiếc ca nô, đăng ký"))

    def test_a_working_boat_never_registered_keeps_its_first_registration(self, lexicon):
        query = "ghe máy mua lại của người khác chưa đăng ký bao giờ"
        q = qualifier(lexicon, "lần đầu đối với phương tiện đang khai thác")
        assert q.evidenced_by(padded(query))


class TestStepsAndDocumentsOfTheirOwn:
    """Sibling steps a request names in other words: quitting the role of "người giám hộ"
    ends a guardianship (Bộ luật Dân sự 2015, Điều 62); ending *oversight* of one is its own
    registration; a lost border pass is reported ("Trình báo mất giấy thông hành"), not issued;
    an error on an insurance card is corrected on the card ("Cấp lại, đổi, điều chỉnh thông
    tin trên sổ BHXH, thẻ BHYT"), not in the civil-status register."""

    def test_quitting_as_guardian_ends_the_guardianship(self, lexicon):
        query = "cháu đã 18 tuổi, tôi muốn làm giấy thôi làm người giám hộ cho cháu"
        assert qualifier(lexicon, "chấm dứt giám hộ").evidenced_by(padded(query))
        assert not qualifier(lexicon, "đăng ký giám hộ").evidenced_by(padded(query))

    def test_ending_oversight_is_not_ending_the_guardianship(self, lexicon):
        q = qualifier(lexicon, "đăng ký chấm dứt giám hộ")
        assert not q.evidenced_by(padded("tôi không muốn giám sát việc giám hộ nữa"))
        assert q.evidenced_by(padded("cháu đủ 18 tuổi, chấm dứt giám hộ"))

    @pytest.mark.parametrize(
        "query",
        ["làm mất giấy thông hành sang trung quốc, trình báo ở đâu", "bị mất giấy thông hành"],
    )
    def test_a_lost_pass_is_reported(self, lexicon, query):
        assert not qualifier(lexicon, "cấp giấy thông hành").evidenced_by(padded(query))

    def test_a_pass_is_still_issued(self, lexicon):
        query = "tôi ở xã biên giới muốn xin giấy thông hành sang lào thăm họ hàng"
        assert qualifier(lexicon, "cấp giấy thông hành").evidenced_by(padded(query))

    @pytest.mark.parametrize(
        ("query", "civil_status"),
        [
            ("thẻ bảo hiểm y tế của mẹ in sai tên đệm", False),
            ("sổ bảo hiểm xã hội ghi sai năm sinh", False),
            ("giấy khai sinh ghi sai tên đệm của mẹ", True),
        ],
    )
    def test_an_insurance_card_error_is_the_cards(self, lexicon, query, civil_status):
        q = qualifier(lexicon, "thay đổi, cải chính, bổ sung thông tin hộ tịch")
        assert q.evidenced_by(padded(query)) is civil_status


class TestPermanentResidenceSaidByTheName:
    """Citizens speak of a household registration by the name written in it: "nhập tên vào
    hộ khẩu", "chuyển hẳn tên về nhà tôi" ask for đăng ký thường trú (Luật Cư trú 2020,
    Điều 20), in held-out sets 8 and 9 alike."""

    @pytest.mark.parametrize(
        "query",
        [
            "muốn nhập tên vào hộ khẩu nhà ông bà cho con",
            "chuyển hẳn tên ba mẹ con về nhà tôi",
            "nhập hẳn tên vào nhà con trai",
        ],
    )
    def test_the_name_in_the_household_is_permanent_residence(self, lexicon, query):
        expanded = [e for _, e in lexicon.expansions(folded_words(query))]
        assert "đăng ký thường trú" in expanded

    def test_a_name_on_a_certificate_is_not(self, lexicon):
        expanded = [e for _, e in lexicon.expansions(folded_words("ghi sai tên vào giấy"))]
        assert "đăng ký thường trú" not in expanded


class TestSouthernBoatNames:
    """The Mekong delta's own boats (vỏ lãi, xuồng ba lá, tắc ráng) are inland waterway craft
    like a "ghe"; their names share no syllable with the catalog's "phương tiện"."""

    @pytest.mark.parametrize(
        "query",
        [
            "chiếc vỏ lãi nhà tui chưa có giấy tờ gì hết",
            "mua lại chiếc xuồng ba lá của ông hàng xóm",
            "cái tắc ráng chở khách qua sông",
        ],
    )
    def test_read_as_a_waterway_craft(self, lexicon, query):
        expanded = [e for _, e in lexicon.expansions(folded_words(query))]
        assert "phương tiện thủy nội địa" in expanded
        assert qualifier(lexicon, "^đăng ký phương tiện").evidenced_by(padded(query))

    def test_going_down_to_the_commune_is_no_boat(self, lexicon):
        # "xuồng" folds like "xuống": only its compounds name a boat.
        expanded = [e for _, e in lexicon.expansions(folded_words("cán bộ xuống tận nhà"))]
        assert "phương tiện thủy nội địa" not in expanded


class TestChatAbbreviations:
    """Chat shorthands of procedure words are read as the words (typed requests)."""

    @pytest.mark.parametrize(
        ("typed", "read"),
        [
            ("xin gp xây nhà", "xin giấy phép xây nhà"),
            ("lô đất tđc của bố", "lô đất tái định cư của bố"),
            ("tôi là ctv dịch thuật", "tôi là cộng tác viên dịch thuật"),
            ("đổi mục đích sd đất", "đổi mục đích sử dụng đất"),
            ("bao giờ có kq", "bao giờ có kết quả"),
            ("đội pctt của thôn", "đội phòng chống thiên tai của thôn"),
        ],
    )
    def test_read_as_the_words(self, lexicon, typed, read):
        assert " ".join(lexicon.standardize(typed.split())) == read


class TestMisheardVowels:
    """A recognizer's vowel slips on procedure words that no consonant swap repairs."""

    @pytest.mark.parametrize("heard", ["hai đứa muốn đăng ký kết hun", "làm giấy kết hum ở xã"])
    def test_marriage_heard_with_another_vowel(self, lexicon, heard):
        expanded = [e for _, e in lexicon.expansions(folded_words(heard))]
        assert "đăng ký kết hôn" in expanded
