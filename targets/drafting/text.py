"""The report as text: decoding, normalising, and cutting it into paragraphs, sentences and clauses.

Pure functions over strings; every span is a pair of offsets into the normalised text, so that whatever
the drafter quotes can be checked against the text the loader will read.
"""

import re
from dataclasses import dataclass

# Sentence ends. "；" ends a sentence too: the reports list parallel goals with it, and the loader's
# reviewers read each part on its own.
SENTENCE_END = "。！？；!?;"
CLAUSE_END = "，,：:"
OPENING = "“‘《（(「【"
CLOSING = "”’》）)」】"
# Characters that never sit inside a goal's words: punctuation a clause stops at.
PUNCTUATION = SENTENCE_END + CLAUSE_END + "、"


class UndecodableReport(ValueError):
    """The bytes are not a plain-text report this drafter can read (UTF-8 or GBK)."""


def report_text_decode(data: bytes) -> str:
    """Decode a report file: UTF-8 (with or without a BOM), else GBK (read as GB 18030, its superset).

    Refuses, with a message that says what to do, anything else: Word documents, UTF-16, binary data,
    and text that decodes but holds no Chinese (a wrong guess would only produce an empty draft).
    """
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UndecodableReport(
            "这是 Word/Office 文档，不是纯文本：请在 Word 中“另存为”纯文本（UTF-8 或 GBK）后再上传。"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableReport("文件是 UTF-16 编码：请另存为 UTF-8 或 GBK 纯文本后再上传。")
    if b"\x00" in data:
        raise UndecodableReport("文件含有二进制内容，不是纯文本报告：请提供 UTF-8 或 GBK 编码的纯文本。")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A few bad bytes in otherwise good UTF-8 is a damaged file, not GBK: GB 18030 would read it as
        # plausible-looking nonsense.
        replaced = data.decode("utf-8", errors="replace")
        if replaced.count("\ufffd") <= max(3, len(data) // 1000) and re.search(r"[\u4e00-\u9fff]", replaced):
            raise UndecodableReport(
                f"文件是 UTF-8 编码，但第 {error.start} 个字节附近已损坏：请从原文件重新导出纯文本。"
            ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not re.search(r"[\u4e00-\u9fff]", text):
            raise UndecodableReport(
                "文件中没有中文内容：请确认上传的是政府工作报告的纯文本（UTF-8 或 GBK）。"
            )
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            raise UndecodableReport("文件含有控制字符，不是纯文本报告：请提供 UTF-8 或 GBK 编码的纯文本。")
        return text
    raise UndecodableReport(
        "无法识别文件编码（既不是 UTF-8 也不是 GBK）：请另存为 UTF-8 或 GBK 纯文本后再上传。"
    )


def report_text_normalise(text: str) -> str:
    """One paragraph per line, as the loader reads it: line ends unified, each line stripped of its
    indentation (the ideographic spaces Word puts before a paragraph) and trailing blanks, empty lines
    dropped. Nothing inside a line changes, so every quote stays the report's own words."""
    lines = (
        line.strip(" \t\u3000\u00a0\ufeff")
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line) + "\n"


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def paragraphs(text: str) -> list[Span]:
    spans, start = [], 0
    for line in text.split("\n"):
        if line:
            spans.append(Span(start, start + len(line)))
        start += len(line) + 1
    return spans


def _cut(text: str, span: Span, stops: str) -> list[Span]:
    """Cut a span at each stop character outside quotes and brackets; the stops themselves are left out."""
    pieces, depth, start = [], 0, span.start
    for index in range(span.start, span.end):
        char = text[index]
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth = max(0, depth - 1)
        elif char in stops and depth == 0:
            if index > start:
                pieces.append(Span(start, index))
            start = index + 1
    if span.end > start:
        pieces.append(Span(start, span.end))
    return pieces


def sentences(text: str, span: Span) -> list[Span]:
    return _cut(text, span, SENTENCE_END)


def clauses(text: str, span: Span) -> list[Span]:
    return _cut(text, span, CLAUSE_END)


def segments(text: str, span: Span, stops: str = "、") -> list[Span]:
    """The parts of a clause between enumeration commas (outside quotes and brackets)."""
    return _cut(text, span, stops)


def sentence_around(text: str, position: int) -> Span:
    """The sentence of the text that holds `position` (sentence ends and line ends bound it)."""
    start = position
    while start > 0 and text[start - 1] not in SENTENCE_END + "\n":
        start -= 1
    end = position
    while end < len(text) and text[end] not in SENTENCE_END + "\n":
        end += 1
    return Span(start, end)


def quote_depth_at(text: str, span: Span, position: int) -> int:
    """How many quotes or brackets are open at `position` inside the span."""
    depth = 0
    for index in range(span.start, position):
        if text[index] in OPENING:
            depth += 1
        elif text[index] in CLOSING:
            depth = max(0, depth - 1)
    return depth
