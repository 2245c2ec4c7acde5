"""The five terminals (五端融合), a base notion: the catalog's channels, the applications' channel, a device
session's one terminal and the masking of TV and kiosk screens all name them."""

from __future__ import annotations

from enum import Enum


class Terminal(str, Enum):
    """The five terminals; an item's channels are the terminals it can be applied on."""

    TV = "TV"
    DESKTOP = "DESKTOP"
    MOBILE = "MOBILE"
    WINDOW = "WINDOW"
    KIOSK = "KIOSK"
