"""Input formats for zh-hans: the rest of Django's zh_Hans formats apply unchanged."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2020-07-03
    "%Y/%m/%d",  # 2020/7/3 (strptime takes one or two digits)
    "%Y年%m月%d日",  # 2020年7月3日
    "%Y.%m.%d",  # 2020.7.3
]
