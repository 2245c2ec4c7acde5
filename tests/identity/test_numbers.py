"""Identifier checks and masks: GB 11643 ID numbers, GB 32100 credit codes, phones, names, passwords.

Check characters expected here come from the standards' own definitions (the weighted sum including
the check value is congruent to 1 mod 11, resp. 0 mod 31), not from the module's weight tables.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, strategies as st

from portal.identity.numbers import (
    InvalidField,
    check_credit_code,
    check_id_number,
    check_password,
    check_person_name,
    check_phone,
    credit_code_check_character,
    id_number_birth_date,
    id_number_check_character,
    mask_credit_code,
    mask_id_number,
    mask_name,
    mask_phone,
    sign_in_name,
)
from portal.problems import Code

TODAY = date(2025, 6, 1)
PROVINCES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CATEGORIES = {"1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
              "9": "123", "A": "19", "N": "1239", "Y": "1"}


def mod_11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 by definition: position i from the right weighs 2**(i-1); the total must be ≡ 1 (mod 11)."""
    total = sum(int(d) * 2 ** (17 - k) for k, d in enumerate(first17))
    value = next(c for c in range(11) if (total + c) % 11 == 1)
    return "X" if value == 10 else str(value)


def organisation_check(first8: str) -> str:
    """GB 11714: weights 3 7 9 10 5 8 4 2, letters A=10…Z=35; total plus check value ≡ 0 (mod 11)."""
    total = sum("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(c) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2)))
    value = next(c for c in range(11) if (total + c) % 11 == 0)
    return "X" if value == 10 else str(value)


def mod_31_3(first17: str) -> str:
    """GB 32100: position i from the left weighs 3**(i-1) mod 31; total plus check value ≡ 0 (mod 31)."""
    total = sum(ALPHABET.index(c) * pow(3, k, 31) for k, c in enumerate(first17))
    return ALPHABET[next(c for c in range(31) if (total + c) % 31 == 0)]


def id_number(first17: str) -> str:
    return first17 + mod_11_2(first17)


def credit_code(first16: str) -> str:
    first17 = first16 + organisation_check(first16[8:16])
    return first17 + mod_31_3(first17)


def failure(check: Callable[..., str], value: object, **kwargs: object) -> InvalidField:
    with pytest.raises(InvalidField) as caught:
        check(value, **kwargs)
    return caught.value


# ---- GB 11643 ID numbers ----

SHANDONG = id_number("37010219900101123")


def test_the_standards_examples_have_the_published_check_characters() -> None:
    assert check_id_number("11010519491231002X") == "11010519491231002X"
    assert id_number_check_character("11010519491231002") == "X"
    assert id_number_check_character("44052418800101001") == "4"


def test_computed_check_characters_agree_with_the_mod_11_2_definition() -> None:
    assert SHANDONG == "370102199001011231"
    assert check_id_number(SHANDONG) == SHANDONG
    assert id_number_check_character("37010219900101123") == "1"


def test_lowercase_x_is_accepted_and_returned_uppercase() -> None:
    assert check_id_number("11010519491231002x") == "11010519491231002X"


def test_surrounding_whitespace_is_stripped_but_inner_whitespace_is_not() -> None:
    assert check_id_number(f"  {SHANDONG}\t\n") == SHANDONG
    assert failure(check_id_number, SHANDONG[:9] + " " + SHANDONG[9:]).code == "BAD_LENGTH"


def test_birth_date_is_read_from_digits_7_to_14() -> None:
    assert id_number_birth_date(SHANDONG) == date(1990, 1, 1)
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "REQUIRED"),
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        (370102199001011231, "NOT_A_STRING"),
        (SHANDONG[:17], "BAD_LENGTH"),
        (SHANDONG + "0", "BAD_LENGTH"),
        ("37010219900101123A", "BAD_CHARACTERS"),
        ("3701021990O1011237", "BAD_CHARACTERS"),
        ("３７０１０２１９９００１０１１２３７", "BAD_CHARACTERS"),  # full-width digits
        (id_number("99010219900101123"), "UNKNOWN_REGION"),
        (id_number("91010219900101123"), "UNKNOWN_REGION"),
        (id_number("37010220240230123"), "BAD_BIRTH_DATE"),
        (id_number("37010218991231123"), "BAD_BIRTH_DATE"),
        (id_number("37010220250602123"), "FUTURE_BIRTH_DATE"),
        ("370102199001011234", "BAD_CHECK_CHARACTER"),
    ],
)
def test_each_id_number_failure_has_its_code_and_the_callers_field(value: object, code: str) -> None:
    error = failure(check_id_number, value, field="child.idNumber", today=TODAY)
    assert (error.field, error.code) == ("child.idNumber", code)
    assert error.message


def test_the_default_field_is_id_number_and_messages_say_what_to_fix() -> None:
    error = failure(check_id_number, "370102199001011234")
    assert (error.field, error.message) == ("idNumber", "身份证号码校验位不正确，请核对后重新输入")
    assert str(error) == "idNumber: BAD_CHECK_CHARACTER: 身份证号码校验位不正确，请核对后重新输入"


def test_invalid_field_pickles_with_its_attributes() -> None:
    error = pickle.loads(pickle.dumps(InvalidField("phone", Code.BAD_FORMAT, "手机号码格式不正确")))
    assert (error.field, error.code, error.message) == ("phone", "BAD_FORMAT", "手机号码格式不正确")


def test_a_birth_date_of_today_is_accepted_and_tomorrow_is_not() -> None:
    assert check_id_number(id_number("37010220250601123"), today=TODAY).startswith("370102")
    assert failure(check_id_number, id_number("37010220250602123"), today=TODAY).code == "FUTURE_BIRTH_DATE"


def test_1900_01_01_is_the_earliest_birth_date() -> None:
    assert check_id_number(id_number("37010219000101123")) == id_number("37010219000101123")
    assert failure(check_id_number, id_number("37010218991231123")).code == "BAD_BIRTH_DATE"


def test_without_today_the_current_date_bounds_the_birth_date() -> None:
    assert failure(check_id_number, id_number("37010220991231123")).code == "FUTURE_BIRTH_DATE"


def test_residence_permits_for_hong_kong_macao_and_taiwan_residents_are_accepted() -> None:
    for first17 in ("81000019900101123", "82000019900101123", "83000019900101123"):
        assert check_id_number(id_number(first17)) == id_number(first17)


def test_check_character_helper_refuses_anything_but_17_digits() -> None:
    for bad in ("3701021990010112", "3701021990010112X", "３７０１０２１９９００１０１１２３"):
        with pytest.raises(ValueError):
            id_number_check_character(bad)


@st.composite
def id_prefixes(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(PROVINCES)) + draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    return f"{region}{born:%Y%m%d}" + draw(st.text("0123456789", min_size=3, max_size=3))


@given(id_prefixes())
def test_exactly_one_check_character_completes_an_id_number(prefix: str) -> None:
    accepted = []
    for c in "0123456789X":
        try:
            accepted.append(check_id_number(prefix + c, today=TODAY)[17])
        except InvalidField as error:
            assert error.code == "BAD_CHECK_CHARACTER"
    assert accepted == [mod_11_2(prefix)]


# ---- GB 32100 credit codes ----

@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the standard's example
        "914403001922038216",  # 华为技术有限公司
        "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
        "91330100716105852F",  # 阿里巴巴（中国）有限公司
    ],
)
def test_published_credit_codes_are_accepted(code: str) -> None:
    assert check_credit_code(code) == code
    assert credit_code_check_character(code[:17]) == code[17]


def test_credit_codes_are_stripped_and_uppercased() -> None:
    assert check_credit_code(" 91350100m000100y43\n") == "91350100M000100Y43"


def test_every_authority_accepts_exactly_its_categories() -> None:
    for authority in "123456789ANY":
        for category in "0123456789":
            code = credit_code(f"{authority}{category}370100MA3C5ABC")
            if category in CATEGORIES[authority]:
                assert check_credit_code(code) == code
            else:
                assert failure(check_credit_code, code).code == "UNKNOWN_CATEGORY"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "REQUIRED"),
        (" ", "REQUIRED"),
        (["91350100M000100Y43"], "NOT_A_STRING"),
        ("91350100M000100Y4", "BAD_LENGTH"),
        ("91350100M000100Y43X", "BAD_LENGTH"),
        ("91350100M000I00Y43", "BAD_CHARACTERS"),
        ("91350100M000100Y4O", "BAD_CHARACTERS"),
        ("91350100M000100Y4-", "BAD_CHARACTERS"),
        (credit_code("B1370100MA3C5ABC"), "UNKNOWN_AUTHORITY"),
        (credit_code("94370100MA3C5ABC"), "UNKNOWN_CATEGORY"),
        (credit_code("Y2370100MA3C5ABC"), "UNKNOWN_CATEGORY"),
        (credit_code("9137A100MA3C5ABC"), "BAD_REGION"),
        ("91350100M000100Y53", "BAD_ORGANISATION_CODE"),
        ("91350100M000100Y44", "BAD_CHECK_CHARACTER"),
    ],
)
def test_each_credit_code_failure_has_its_code_and_the_callers_field(value: object, code: str) -> None:
    error = failure(check_credit_code, value, field="legalEntity.creditCode")
    assert (error.field, error.code) == ("legalEntity.creditCode", code)


def test_credit_code_check_character_refuses_letters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        credit_code_check_character("91350100M000I00Y4")


@st.composite
def credit_prefixes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(CATEGORIES)))
    category = draw(st.sampled_from(CATEGORIES[authority]))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    first16 = authority + category + region + draw(st.text(ALPHABET, min_size=8, max_size=8))
    return first16 + organisation_check(first16[8:16])


@given(credit_prefixes())
def test_exactly_one_alphabet_character_completes_a_credit_code(prefix: str) -> None:
    accepted = []
    for c in ALPHABET:
        try:
            accepted.append(check_credit_code(prefix + c)[17])
        except InvalidField as error:
            assert error.code == "BAD_CHECK_CHARACTER"
    assert accepted == [mod_31_3(prefix)]


# ---- phones ----

@pytest.mark.parametrize(
    "value", ["13812345678", "+86 138-1234-5678", "8613812345678", "+8613812345678", " 138 1234 5678 ", "138-1234-5678"]
)
def test_phone_prefixes_and_separators_are_removed(value: str) -> None:
    assert check_phone(value) == "13812345678"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "REQUIRED"),
        ("", "REQUIRED"),
        (13812345678, "NOT_A_STRING"),
        ("12345678901", "BAD_FORMAT"),
        ("1381234567", "BAD_FORMAT"),
        ("138123456789", "BAD_FORMAT"),
        ("+85 13812345678", "BAD_FORMAT"),
        ("138--1234-5678", "BAD_FORMAT"),
        ("１３８１２３４５６７８", "BAD_FORMAT"),
    ],
)
def test_each_phone_failure_has_its_code_and_the_callers_field(value: object, code: str) -> None:
    error = failure(check_phone, value, field="contact.phone")
    assert (error.field, error.code) == ("contact.phone", code)


# ---- names ----

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张三"),
        (" 欧阳娜娜 ", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("𠮷野", "𠮷野"),  # a CJK extension B character
    ],
)
def test_names_are_normalised(value: str, expected: str) -> None:
    assert check_person_name(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "REQUIRED"),
        ("  ", "REQUIRED"),
        (("张", "三"), "NOT_A_STRING"),
        ("张", "BAD_LENGTH"),
        ("张" * 31, "BAD_LENGTH"),
        ("张三3", "BAD_CHARACTERS"),
        ("张三!", "BAD_CHARACTERS"),
        ("张 三", "BAD_CHARACTERS"),
        ("·张三", "BAD_CHARACTERS"),
        ("张三·", "BAD_CHARACTERS"),
        ("张··三", "BAD_CHARACTERS"),
        ("张三Smith", "BAD_CHARACTERS"),
        ("O'Brien", "BAD_CHARACTERS"),
    ],
)
def test_each_name_failure_has_its_code_and_the_callers_field(value: object, code: str) -> None:
    error = failure(check_person_name, value, field="applicant.name")
    assert (error.field, error.code) == ("applicant.name", code)


# ---- passwords ----

def test_a_strong_password_is_returned_unchanged() -> None:
    assert check_password(" Shan-dong 2025 ") == " Shan-dong 2025 "
    assert check_password("Taishan#Qufu88", personal=["370102199001011231", "13812345678", "ZHANG"]) == "Taishan#Qufu88"


@pytest.mark.parametrize(
    ("value", "personal", "code"),
    [
        (None, (), "REQUIRED"),
        ("", (), "REQUIRED"),
        (b"Taishan#Qufu88", (), "NOT_A_STRING"),
        ("Ts#Qufu88", (), "TOO_SHORT"),
        ("Ts#Qufu88" * 15, (), "TOO_LONG"),
        ("taishanqufu88", (), "TOO_SIMPLE"),
        ("TAISHAN#QUFU", (), "TOO_SIMPLE"),
        ("Taish#aaaaaa", (), "TOO_SIMPLE"),
        ("Taishan#123456", (), "TOO_SIMPLE"),
        ("Taishan#654321", (), "TOO_SIMPLE"),
        ("Qufu#ABCDEF7", (), "TOO_SIMPLE"),
        ("Qufu#Qwerty7", (), "TOO_SIMPLE"),
        ("Password123!", (), "TOO_COMMON"),
        ("aA123456789", (), "TOO_COMMON"),
        ("QWERTY12345!", (), "TOO_COMMON"),
        ("1qaz2wsx3edc", (), "TOO_COMMON"),
        ("Zhang#5678Qufu", ("5678",), "CONTAINS_PERSONAL_DATA"),
        ("Taishan#ZHANGsan", ("zhangsan",), "CONTAINS_PERSONAL_DATA"),
        ("Taishan#13812345678", ("13812345678",), "CONTAINS_PERSONAL_DATA"),
    ],
)
def test_each_password_failure_has_its_code_and_the_callers_field(
    value: object, personal: tuple[str, ...], code: str
) -> None:
    error = failure(check_password, value, field="newPassword", personal=personal)
    assert (error.field, error.code) == ("newPassword", code)


def test_personal_strings_shorter_than_four_characters_are_ignored() -> None:
    assert check_password("Taishan#Qufu88", personal=["Qu", "88", "  Tai  "]) == "Taishan#Qufu88"


def test_128_characters_are_allowed_and_10_are_enough() -> None:
    assert check_password("Ab1#" * 32) == "Ab1#" * 32
    assert check_password("Taishan#7q") == "Taishan#7q"


# ---- masks ----

@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (mask_id_number, "370102199001011234", "370102********1234"),
        (mask_id_number, "370102900101123", "37010********23"),
        (mask_id_number, "", ""),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "+86 138-1234-5678", "138****5678"),
        (mask_phone, "0531-12345", "053******5"),
        (mask_name, "张三", "张*"),
        (mask_name, "张三丰", "张**"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_name, "阿依古丽·买买提", "阿***·***"),
        (mask_name, "张", "*"),
        (mask_credit_code, "91350100M000100Y43", "91350100********43"),
        (mask_credit_code, "91370100MA3C5XXXXX", "91370100********XX"),
        (mask_credit_code, "M000100Y4", "M00*****4"),
    ],
)
def test_masks_show_only_the_allowed_characters(mask: Callable[[str], str], value: str, expected: str) -> None:
    assert mask(value) == expected


@given(id_prefixes().map(id_number) | st.text(min_size=18, max_size=18).filter(lambda s: s.strip() == s))
def test_mask_id_number_never_reveals_the_birth_date(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == 18 and masked[6:14] == "********"


@given(st.text(max_size=40))
def test_masks_never_reveal_more_than_ten_characters(value: str) -> None:
    for mask in (mask_id_number, mask_credit_code, mask_phone):
        assert sum(c != "*" for c in mask(value)) <= 10


@pytest.mark.parametrize(("typed", "canonical"), [
    ("13805310001", "13805310001"), ("+86 138-0531-0001", "13805310001"), ("86 138 0531 0001", "13805310001"),
    ("１３８０５３１０００１", "13805310001"), ("＋８６－１３８０５３１０００１", "13805310001"),
    ("370102198803120523", "370102198803120523"), (" 370102 19880312 0523 ", "370102198803120523"),
    ("37010219900101123x", "37010219900101123X"), ("３７０１０２１９９００３０７７７３６", "370102199003077736"),
    ("91370102ma3c5qx1xy", "91370102MA3C5QX1XY"), ("window-jinan", "WINDOW-JINAN"), ("ｗｉｎｄｏｗ", "WINDOW"),
])
def test_sign_in_names_fold_every_spelling(typed: str, canonical: str) -> None:
    assert sign_in_name(typed).canonical == canonical


def test_a_staff_username_keeps_its_case_for_the_lookup() -> None:
    name = sign_in_name(" Window-Jinan ")
    assert (name.username, name.number, name.phone) == ("Window-Jinan", None, None)
