"""The grammar of a figure, the same wherever one comes in: the admin form, the API and the import.

Pure functions, no Django: `figure_read(raw)` returns a Decimal or raises `FigureInvalid` with a Chinese
message saying why. A figure is written the way a Chinese office writes one:

- digits with an optional sign and decimal point: ``12``, ``-6.8``, ``+3``, ``0.5``;
- thousands separators only every three digits before the point: ``1,234.5``, ``12,345,678``;
  ``1,2,3`` (which used to be read as 123) and a decimal comma ``1,5`` (read as 15) are refused;
- full-width forms as Chinese input methods type them (``１２．５``, ``１，２３４``, ``－３``, the
  Chinese comma ``，``) and the minus sign ``−`` are read as their ASCII forms, surrounding spaces
  (full-width too) are ignored;
- refused with a reason: words ("N/A", "见说明"), NaN and Infinity, a percent sign, scientific notation
  (Excel's ``1.5E+07`` has already lost digits), more than 4 decimals, 10¹⁴ or more, and any character
  that cannot be shown back (control characters, lone surrogates).

Spreadsheet and JSON numbers (int, float, Decimal) skip the text grammar; bools are not numbers.
"""

import re
from decimal import Decimal

MAX_FIGURE = Decimal("1e14")
MAX_DECIMALS = 4
# The longest input repeated in a message: enough for any real figure, never a pasted paragraph.
MAX_SHOWN = 30

# Full-width digits and signs (U+FF0B… U+FF19) and the other minus signs typed in Chinese text.
_TO_ASCII = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "＋": "+",
        "－": "-",
        "−": "-",  # MINUS SIGN, as Word and WPS autocorrect a hyphen before a number
        "．": ".",
        "，": ",",
    }
)
_SPACES = " \t\u3000\u00a0"
# Accepted forms, and the near misses refused with their own reason (ASCII: \d would match any script).
_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", re.ASCII)
_NEAR_MISSES = tuple(
    (re.compile(pattern, re.ASCII), message)
    for pattern, message in (
        (
            r"[+-]?\d+,\d{1,2}",
            "{shown}中的逗号不能作小数点；小数点请用“.”（如 1.5），逗号只用作千分位（如 1,234.5）。",
        ),
        (
            r"[+-]?[\d,]+(\.\d+)?",
            "{shown}的千分位逗号位置不对：逗号只能每三位一个（如 1,234,567.5），也可以不写逗号。",
        ),
        (r"[+-]?\d+(\.\d+)?%", "{shown}带有百分号；请只填写数字（单位已在目标中给出）。"),
        (
            r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+",
            "{shown}是科学计数法，可能已丢失有效数字；请把单元格设为“数值”格式后填写完整的数字。",
        ),
        (r"[+-]?\.\d+", "{shown}的小数点前请写0（如 0.5）。"),
        (r"[+-]?\d+\.", "{shown}的小数点后缺少数字。"),
    )
)
_NON_FINITE = {"nan", "snan", "inf", "infinity"}


class FigureInvalid(ValueError):
    """Why a figure was refused, in Chinese, fit to show next to the field."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def figure_read(raw: object) -> Decimal:
    """A figure as typed, imported or sent: see the module's docstring for the grammar."""
    if raw is None or (isinstance(raw, str) and raw.strip(_SPACES) == ""):
        raise FigureInvalid("请填写数值。")
    if isinstance(raw, bool):
        raise FigureInvalid("数值必须是数字。")
    if isinstance(raw, int | float | Decimal):
        # str() first: Decimal(2.8) would be 2.79999999999999982236431605997495353221893310546875.
        return _bounded(Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw))
    if not isinstance(raw, str):
        raise FigureInvalid("数值必须是数字。")
    return _bounded(_parse_text(raw))


def _parse_text(raw: str) -> Decimal:
    if not all(char.isprintable() or char in _SPACES for char in raw) or _has_surrogate(raw):
        raise FigureInvalid("数值中含有无法识别的字符（控制字符或无效编码）；请只填写数字。")
    text = raw.strip(_SPACES).translate(_TO_ASCII)
    shown = _shown(raw.strip(_SPACES))
    if text.lstrip("+-").lower() in _NON_FINITE:
        raise FigureInvalid("数值必须是有限的数字（不能是 NaN 或 Infinity）。")
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    for pattern, message in _NEAR_MISSES:
        if pattern.fullmatch(text):
            raise FigureInvalid(message.format(shown=shown))
    raise FigureInvalid(f"{shown}不是数字；请只填写数值，说明写在“说明”栏。")


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise FigureInvalid("数值必须是有限的数字（不能是 NaN 或 Infinity）。")
    if abs(value) >= MAX_FIGURE:
        raise FigureInvalid("数值过大。")
    if value.as_tuple().exponent < -MAX_DECIMALS:
        raise FigureInvalid(f"数值最多保留{MAX_DECIMALS}位小数。")
    return value


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _shown(text: str) -> str:
    """The input quoted back to its author, or a neutral word when it is too long to be useful."""
    return f"“{text}”" if len(text) <= MAX_SHOWN else "所填内容"
