"""Departments proposed for a drafted target from the keyword table that ships with the project
(targets/data/department_keywords.yaml). The proposal is a starting point for the supervision office;
the target's `reading` says which keyword proposed it."""

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_KEYWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "department_keywords.yaml"
MAX_DEPARTMENTS = 3


class KeywordTableInvalid(ValueError):
    pass


@dataclass(frozen=True)
class KeywordRule:
    keywords: tuple[str, ...]
    departments: tuple[str, ...]  # names, lead first


@dataclass(frozen=True)
class KeywordTable:
    departments: tuple[tuple[str, str], ...]  # (code, name) of every department a draft may name
    rules: tuple[KeywordRule, ...]
    fallback: str


@dataclass(frozen=True)
class Proposal:
    departments: tuple[str, ...]
    note: str


def keyword_table_parse(data: object) -> KeywordTable:
    """The table from its YAML data, checked: every department a rule or the fallback names is listed."""
    if not isinstance(data, dict):
        raise KeywordTableInvalid("关键词表应为映射（departments、rules、fallback）。")
    try:
        departments = tuple((str(item["code"]), str(item["name"])) for item in data["departments"])
        rules = tuple(
            KeywordRule(
                keywords=tuple(str(keyword) for keyword in rule["keywords"]),
                departments=tuple(str(name) for name in rule["departments"]),
            )
            for rule in data["rules"]
        )
        fallback = str(data["fallback"])
    except (KeyError, TypeError) as error:
        raise KeywordTableInvalid(f"关键词表格式错误：缺少或错误的字段 {error}。") from None
    known = {name for _code, name in departments}
    unknown = sorted(
        {name for rule in rules for name in rule.departments if name not in known} | ({fallback} - known)
    )
    if unknown:
        raise KeywordTableInvalid(f"关键词表引用了未列出的责任单位：{'、'.join(unknown)}。")
    return KeywordTable(departments=departments, rules=rules, fallback=fallback)


def keyword_table_load(path: Path = DEFAULT_KEYWORDS_FILE) -> KeywordTable:
    return keyword_table_parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def _matches(table: KeywordTable, text: str) -> list[tuple[int, int, KeywordRule, str]]:
    """(-keyword length, position, rule, keyword) of every rule found in the text, best first."""
    found = []
    for rule in table.rules:
        hits = [(-len(keyword), text.find(keyword), keyword) for keyword in rule.keywords if keyword in text]
        if hits:
            length, position, keyword = min(hits)
            found.append((length, position, rule, keyword))
    return sorted(found, key=lambda hit: (hit[0], hit[1]))


def departments_propose(table: KeywordTable, *texts: str) -> Proposal:
    """Lead and co-operating departments from the first of `texts` (quote, sentence, task title…) in which a
    keyword is found: the rule with the longest keyword leads; the other rules found there co-operate."""
    for text in texts:
        hits = _matches(table, text)
        if not hits:
            continue
        names: list[str] = []
        for _length, _position, rule, _keyword in hits:
            names.extend(name for name in rule.departments if name not in names)
        names = names[:MAX_DEPARTMENTS]
        keywords = "、".join(f"“{keyword}”" for _l, _p, _r, keyword in hits[:MAX_DEPARTMENTS])
        return Proposal(
            departments=tuple(names),
            note=f"责任单位为按关键词{keywords}提出的建议（{names[0]}牵头），请审核。",
        )
    return Proposal(
        departments=(table.fallback,),
        note=f"未找到可对应责任单位的关键词，暂列{table.fallback}，请指定责任单位。",
    )
