"""The industries of enterprises: the 20 sections (门类, A–T) of GB/T 4754-2017 《国民经济行业分类》, in one place.

An enterprise names its section in its account (``Account.industry``); policy packs (``portal.packs``) are pushed
to the sections they name. The letters are the standard's; the names are its Chinese titles.
"""

from __future__ import annotations

from enum import StrEnum

from portal.identity.errors import IdentityCode
from portal.problems import InvalidField


class Industry(StrEnum):
    """GB/T 4754-2017 门类 (sections), by their letters."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the standard's letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the standard's letter
    P = "P"
    Q = "Q"
    R = "R"
    S = "S"
    T = "T"


INDUSTRY_NAMES: dict[Industry, str] = {
    Industry.A: "农、林、牧、渔业",
    Industry.B: "采矿业",
    Industry.C: "制造业",
    Industry.D: "电力、热力、燃气及水生产和供应业",
    Industry.E: "建筑业",
    Industry.F: "批发和零售业",
    Industry.G: "交通运输、仓储和邮政业",
    Industry.H: "住宿和餐饮业",
    Industry.I: "信息传输、软件和信息技术服务业",
    Industry.J: "金融业",
    Industry.K: "房地产业",
    Industry.L: "租赁和商务服务业",
    Industry.M: "科学研究和技术服务业",
    Industry.N: "水利、环境和公共设施管理业",
    Industry.O: "居民服务、修理和其他服务业",
    Industry.P: "教育",
    Industry.Q: "卫生和社会工作",
    Industry.R: "文化、体育和娱乐业",
    Industry.S: "公共管理、社会保障和社会组织",
    Industry.T: "国际组织",
}


def check_industry(value: object, *, field: str = "industry") -> Industry:
    """A section letter of GB/T 4754-2017 (A–T, upper case), else a field error naming ``field``."""
    if isinstance(value, str) and value in Industry.__members__:
        return Industry(value)
    raise InvalidField(field, IdentityCode.UNKNOWN_INDUSTRY, "行业门类应为国民经济行业分类（GB/T 4754-2017）的 A 至 T 之一")
