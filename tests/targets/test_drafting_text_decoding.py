"""Reading a report file: UTF-8 (with or without BOM) or GBK is decoded; anything else is refused with a
message that says what to do; Word's indentation and line ends are normalised without touching a word."""

import pytest

from targets.drafting import UndecodableReport, report_text_decode, report_text_normalise

SENTENCE = "2021年青禾县政府工作报告\n新增规上工业企业8家，PM2.5平均浓度控制在36微克/立方米以内。\n"


@pytest.mark.parametrize(
    "data",
    [
        SENTENCE.encode("utf-8"),
        b"\xef\xbb\xbf" + SENTENCE.encode("utf-8"),
        SENTENCE.encode("gbk"),
        SENTENCE.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030"],
)
def test_utf8_and_gbk_are_decoded(data):
    assert report_text_decode(data) == SENTENCE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "Word"),
        (SENTENCE.encode("utf-16"), "UTF-16"),
        (bytes(range(128, 256)) * 4, "无法识别文件编码"),
        ("Café crème, 2021".encode("latin-1"), "无法识别文件编码"),
        (b"Annual report 2021: GDP +7%\n", "没有中文"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
        ("报告\x07正文".encode(), "控制字符"),
        (
            SENTENCE[:15].encode() + b"\xff" + SENTENCE[15:].encode(),
            f"第 {len(SENTENCE[:15].encode())} 个字节附近已损坏",
        ),
    ],
    ids=[
        "docx",
        "doc",
        "utf-16",
        "random bytes",
        "latin-1",
        "no chinese",
        "png",
        "control characters",
        "damaged utf-8",
    ],
)
def test_what_cannot_be_read_is_refused_clearly(data, message):
    with pytest.raises(UndecodableReport, match=message) as refusal:
        report_text_decode(data)
    assert "UTF-8" in str(refusal.value) or "中文" in str(refusal.value)


def test_normalising_keeps_every_word_and_gives_one_paragraph_per_line():
    word_style = "\ufeff2021年青禾县政府工作报告\r\n\r\n\u3000\u3000扩大重点项目投资。全年实施重点项目126个。  \r\n\u3000\u3000\r\n"
    assert (
        report_text_normalise(word_style)
        == "2021年青禾县政府工作报告\n扩大重点项目投资。全年实施重点项目126个。\n"
    )


def test_normalising_normalised_text_changes_nothing():
    text = "第一段。\n第二段，有逗号。\n"
    assert report_text_normalise(text) == text
