"""Checking and masking of personal identifiers (pure: no I/O, no global mutable state).

One rule in one place for account registration and form fields (ID_NUMBER, CREDIT_CODE, PHONE):
- 公民身份号码, GB 11643-1999: 17-digit 本体码 + ISO 7064 MOD 11-2 check character; digits 1–6 an
  address code (GB/T 2260), 7–14 the birth date.
- 统一社会信用代码, GB 32100-2015: registration authority, organisation category, a GB/T 2260
  division code, a GB 11714-1997 organisation code (with its own check digit) and an ISO 7064
  MOD 31-3 check character.
- mainland mobile numbers, real names as printed on an ID card, password strength, and masking for display.
Every check_* returns the normalised value or raises InvalidField naming the caller's field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from portal.identity.errors import IdentityCode
from portal.problems import Code, InvalidField

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Province-level codes of GB/T 2260, plus the 2018 港澳台居民居住证 address codes 810000 / 820000 /
# 830000. 83 exists only for those permits; 71 (台湾省) is listed by GB/T 2260 though no mainland
# card is issued under it. 9x is not a region: since 2023 it starts the 外国人永久居留身份证, a
# different document whose digits 2–3 are the issuing province.
ID_NUMBER_REGIONS: Mapping[str, str] = MappingProxyType({
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门", "83": "台湾居民居住证",
})

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z

# GB 32100-2015 appendix: registration authority (position 1) -> organisation categories (position 2).
CREDIT_CODE_CATEGORIES: Mapping[str, str] = MappingProxyType({
    "1": "1239",    # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",      # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",      # 文化: 外国在华文化中心, 其他
    "5": "1239",    # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",     # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地(大陆)代表机构, 其他
    "7": "129",     # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",      # 工会: 基层工会, 其他
    "9": "123",     # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",      # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",    # 农业: 组级/村级/乡镇级集体经济组织, 其他
    "Y": "1",       # 其他: 不再细分
})

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_INPUT_CHARACTERS = frozenset(CREDIT_CODE_ALPHABET + CREDIT_CODE_ALPHABET.lower())
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_PHONE = re.compile(r"(?:\+?86[ -]?)?(1[3-9](?:[ -]?[0-9]){9})")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"  # CJK ideographs incl. extensions B–H
_CHINESE_NAME = re.compile(f"[{_HAN}]+(?:·[{_HAN}]+)*")
_LATIN_NAME = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_NAME_DOTS = str.maketrans({"•": "·", "・": "·"})
_REPEATED_CHARACTER = re.compile(r"(.)\1{5}", re.DOTALL)
_RUN_LENGTH = 6
_KEYBOARD_ROWS = ("0123456789", "1234567890", "abcdefghijklmnopqrstuvwxyz",
                  "qwertyuiop", "asdfghjkl", "zxcvbnm", "!@#$%^&*()")
_RUNS = frozenset(
    row[i:i + _RUN_LENGTH] for forward in _KEYBOARD_ROWS for row in (forward, forward[::-1])
    for i in range(len(row) - _RUN_LENGTH + 1)
)
# Lowercased; only entries of at least PASSWORD_MIN_LENGTH matter, shorter ones fail TOO_SHORT first.
_COMMON_PASSWORDS = frozenset({
    "password123!", "password1234", "password@123", "p@ssw0rd123", "p@ssw0rd1234", "passw0rd123!",
    "aa123456789", "aa1234567890", "a1234567890", "abc123456789", "abcd12345678", "admin123456",
    "admin@123456", "qwerty12345!", "qwerty123456", "qwer1234!@#$", "1qaz2wsx3edc", "1qaz@wsx3edc",
    "1qaz!qaz2wsx", "zaq12wsxcde3", "iloveyou123", "woaini1314", "woaini1314520", "5201314520",
})


def _text(value: object, field: str, label: str, *, strip: bool = True) -> str:
    if value is None:
        raise InvalidField(field, Code.REQUIRED, f"请填写{label}")
    if not isinstance(value, str):
        raise InvalidField(field, Code.NOT_A_STRING, f"{label}应为文字，请重新填写")
    text = value.strip() if strip else value
    if not text:
        raise InvalidField(field, Code.REQUIRED, f"请填写{label}")
    return text


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # str.isdigit alone accepts full-width and other scripts


def _birth_date(digits: str) -> date | None:
    if len(digits) != 8 or not _ascii_digits(digits):
        return None
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return born if born >= _EARLIEST_BIRTH_DATE else None


def id_number_check_character(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) of a 17-digit 本体码."""
    if len(first17) != 17 or not _ascii_digits(first17):
        raise ValueError("first17 must be 17 ASCII digits")
    return _ID_CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def id_number_birth_date(value: str) -> date:
    """The birth date (digits 7–14, YYYYMMDD) of an ID number that passed check_id_number."""
    born = _birth_date(value.strip()[6:14])
    if born is None:
        raise ValueError("not a checked ID number: digits 7–14 are not a birth date")
    return born


def check_id_number(value: object, *, field: str = "idNumber", today: date | None = None) -> str:
    """A GB 11643-1999 citizen identity number, stripped, with its check character upper-cased.

    `today` (default: today in Asia/Shanghai) bounds the birth date; 1900-01-01 is the earliest accepted.
    """
    number = _text(value, field, "身份证号码")
    if len(number) != 18:
        raise InvalidField(field, Code.BAD_LENGTH, f"身份证号码应为18位，您填写了{len(number)}位，请核对后重新输入")
    if not _ascii_digits(number[:17]) or number[17] not in "0123456789Xx":
        raise InvalidField(field, IdentityCode.BAD_CHARACTERS, "身份证号码前17位应为数字，最后一位为数字或字母X，请核对后重新输入")
    number = number.upper()
    if number[:2] not in ID_NUMBER_REGIONS:
        raise InvalidField(field, IdentityCode.UNKNOWN_REGION, "身份证号码前两位不是有效的省级行政区划代码，请核对后重新输入")
    born = _birth_date(number[6:14])
    if born is None:
        raise InvalidField(field, IdentityCode.BAD_BIRTH_DATE, "身份证号码第7至14位的出生日期无效，请核对后重新输入")
    if born > (today or datetime.now(SHANGHAI).date()):
        raise InvalidField(field, IdentityCode.FUTURE_BIRTH_DATE, "身份证号码中的出生日期晚于今天，请核对后重新输入")
    if number[17] != id_number_check_character(number[:17]):
        raise InvalidField(field, IdentityCode.BAD_CHECK_CHARACTER, "身份证号码校验位不正确，请核对后重新输入")
    return number


def credit_code_check_character(first17: str) -> str:
    """The GB 32100-2015 check character (ISO 7064 MOD 31-3) of the first 17 characters."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError(f"first17 must be 17 characters from {CREDIT_CODE_ALPHABET}")
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(first8: str) -> str:
    # GB 11714-1997 values letters by their place in the full Latin alphabet (A=10 … Z=35),
    # not in the credit-code alphabet, hence base 36.
    remainder = 11 - sum(int(c, 36) * w for c, w in zip(first8, _ORGANISATION_WEIGHTS)) % 11
    return "X" if remainder == 10 else str(remainder % 11)


def check_credit_code(value: object, *, field: str = "creditCode") -> str:
    """A GB 32100-2015 unified social credit code, stripped and upper-cased."""
    code = _text(value, field, "统一社会信用代码")
    if len(code) != 18:
        raise InvalidField(field, Code.BAD_LENGTH, f"统一社会信用代码应为18位，您填写了{len(code)}位，请核对后重新输入")
    if any(c not in _CREDIT_INPUT_CHARACTERS for c in code):
        raise InvalidField(field, IdentityCode.BAD_CHARACTERS,
                           "统一社会信用代码只能包含数字和英文字母（不含I、O、S、V、Z），请核对后重新输入")
    code = code.upper()
    categories = CREDIT_CODE_CATEGORIES.get(code[0])
    if categories is None:
        raise InvalidField(field, IdentityCode.UNKNOWN_AUTHORITY, "统一社会信用代码第1位（登记管理部门代码）无效，请核对后重新输入")
    if code[1] not in categories:
        raise InvalidField(field, Code.UNKNOWN_CATEGORY, "统一社会信用代码第2位（机构类别代码）无效，请核对后重新输入")
    if not _ascii_digits(code[2:8]):
        raise InvalidField(field, Code.BAD_REGION, "统一社会信用代码第3至8位（行政区划码）应为数字，请核对后重新输入")
    if code[16] != organisation_check_character(code[8:16]):
        raise InvalidField(field, IdentityCode.BAD_ORGANISATION_CODE,
                           "统一社会信用代码第9至17位（组织机构代码）不正确，请核对后重新输入")
    if code[17] != credit_code_check_character(code[:17]):
        raise InvalidField(field, IdentityCode.BAD_CHECK_CHARACTER, "统一社会信用代码校验位不正确，请核对后重新输入")
    return code


def check_phone(value: object, *, field: str = "phone") -> str:
    """A mainland mobile number: the bare 11 digits, after an optional +86/86 and spaces or hyphens."""
    match = _PHONE.fullmatch(_text(value, field, "手机号码"))
    if match is None:
        raise InvalidField(field, Code.BAD_FORMAT, "手机号码应为以1开头的11位数字，请核对后重新输入")
    return re.sub(r"[ -]", "", match.group(1))


@dataclass(frozen=True)
class SignInName:
    """What a typed sign-in name can mean, however it was written: ``username`` as typed (full-width forms
    folded by NFKC, surrounding spaces trimmed); ``number``, an 18-character ID number or credit code with its
    spaces and hyphens dropped, upper-cased; ``phone``, a mobile number's 11 digits (+86, spaces, hyphens
    dropped)."""

    username: str
    number: str | None
    phone: str | None

    @property
    def canonical(self) -> str:
        """One string for every spelling of the same name."""
        return self.phone or self.number or self.username.upper()


def sign_in_name(value: str) -> SignInName:
    """The sign-in name behind a typed one: "+86 138-0531-0001", "１３８０５３１０００１" and "13805310001" are
    one phone; "370102 19900101 1234" and its lower-case or full-width forms one ID number."""
    typed = unicodedata.normalize("NFKC", value).strip()
    compact = re.sub(r"[\s-]", "", typed)
    number = compact.upper() if len(compact) == 18 and compact.isascii() and compact.isalnum() else None
    try:
        phone = check_phone(compact)
    except InvalidField:
        phone = None
    return SignInName(typed, number, phone)


def check_person_name(value: object, *, field: str = "name") -> str:
    """A real name as printed on the ID card: Chinese with · between parts, or Latin letters and spaces.

    •/・ become ·, runs of spaces become one.
    """
    name = re.sub(" {2,}", " ", _text(value, field, "姓名").translate(_NAME_DOTS))
    if not 2 <= len(name) <= 30:
        raise InvalidField(field, Code.BAD_LENGTH, "姓名应为2至30个字，请按证件上的姓名填写")
    if not (_CHINESE_NAME.fullmatch(name) or _LATIN_NAME.fullmatch(name)):
        raise InvalidField(field, IdentityCode.BAD_CHARACTERS, "姓名只能包含汉字和间隔号“·”（用在姓名中间），"
                                                    "外籍人员可使用英文字母和空格，请按证件上的姓名填写")
    return name


def check_password(value: object, *, field: str = "password", personal: Sequence[str] = ()) -> str:
    """A password strong enough for a real-name account; returned unchanged (never stripped).

    `personal` holds the account's own data (ID number, phone, credit code, name romanisation);
    entries shorter than 4 characters are ignored.
    """
    password = _text(value, field, "密码", strip=False)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidField(field, Code.TOO_SHORT, f"密码至少需要{PASSWORD_MIN_LENGTH}个字符")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidField(field, Code.TOO_LONG, f"密码不能超过{PASSWORD_MAX_LENGTH}个字符")
    lowered = password.lower()
    # Before the class and run checks, so a well-known password is named as such.
    if lowered in _COMMON_PASSWORDS:
        raise InvalidField(field, IdentityCode.TOO_COMMON, "该密码过于常见，很容易被猜中，请换一个")
    if any(len(p.strip()) >= 4 and p.strip().lower() in lowered for p in personal):
        raise InvalidField(field, IdentityCode.CONTAINS_PERSONAL_DATA, "密码不能包含您的身份证号码、手机号码、统一社会信用代码或姓名拼音等个人信息")
    classes = (any("a" <= c <= "z" for c in password) + any("A" <= c <= "Z" for c in password)
               + any("0" <= c <= "9" for c in password) + any(not (c.isascii() and c.isalnum()) for c in password))
    if classes < 3:
        raise InvalidField(field, IdentityCode.TOO_SIMPLE, "密码需至少包含小写字母、大写字母、数字、其他符号中的三类")
    if _REPEATED_CHARACTER.search(lowered) or any(
            lowered[i:i + _RUN_LENGTH] in _RUNS for i in range(len(lowered) - _RUN_LENGTH + 1)):
        raise InvalidField(field, IdentityCode.TOO_SIMPLE, "密码不能包含6个及以上相同字符或连续字符（如aaaaaa、123456、abcdef、qwerty）")
    return password


def _mask(text: str, head: int, tail: int) -> str:
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail:]


def _mask_unknown_length(text: str) -> str:
    # At most the first third (≤ 6) and the last sixth (≤ 4): never more than 10 characters or half the text.
    return _mask(text, min(len(text) // 3, 6), min(len(text) // 6, 4))


def mask_id_number(value: str) -> str:
    """370102199001011234 -> 370102********1234: the birth date (digits 7–14) is always hidden."""
    text = value.strip()
    return _mask(text, 6, 4) if len(text) == 18 else _mask_unknown_length(text)


def mask_phone(value: str) -> str:
    """13812345678 (also written +86 138-1234-5678) -> 138****5678."""
    try:
        return _mask(check_phone(value), 3, 4)
    except InvalidField:
        return _mask_unknown_length(value.strip())


def mask_name(value: str) -> str:
    """张三丰 -> 张**, 阿依古丽·买买提 -> 阿***·***: the first character and any · are kept."""
    name = value.strip().translate(_NAME_DOTS)
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "".join("·" if c == "·" else "*" for c in name[1:])


def mask_credit_code(value: str) -> str:
    """91350100M000100Y43 -> 91350100********43: registration authority, category and region stay."""
    text = value.strip()
    return _mask(text, 8, 2) if len(text) == 18 else _mask_unknown_length(text)


def issued_id_number(region_code: str, born: date, sequence: int, *, male: bool) -> str:
    """The GB 11643 number a public security bureau issues (出生登记): the registering region, the birth date, a
    three-digit order code (odd for a man, even for a woman; ``sequence`` counts from 1 among the people of that
    region and day) and the check character."""
    order = 2 * sequence - 1 if male else 2 * sequence
    if not (len(region_code) == 6 and region_code.isdigit() and 1 <= order <= 999):
        raise ValueError(f"no identity number for region {region_code!r}, order {order}")
    first17 = f"{region_code}{born:%Y%m%d}{order:03d}"
    return first17 + id_number_check_character(first17)


def issued_credit_code(region_code: str, serial: int) -> str:
    """The GB 32100 code a market-regulation authority issues to an enterprise (企业设立登记): authority 9 (工商),
    category 1 (企业), the region, a GB 11714 organisation code (eight characters from ``serial`` and its check
    character) and the check character."""
    if not (len(region_code) == 6 and region_code.isdigit() and 1 <= serial < 10**8):
        raise ValueError(f"no credit code for region {region_code!r}, serial {serial}")
    body = f"{serial:08d}"
    first17 = f"91{region_code}{body}{organisation_check_character(body)}"
    return first17 + credit_code_check_character(first17)
