"""A register row's cells as a resident's checked values (性别, 与户主关系, 政治面貌, 标签…).

Spreadsheets write the same thing many ways (男/male, 户主/本人, 2026/1/2, a number for a
phone); these functions read them all, and refuse what would be misread, such as an ID
number Excel turned into a number.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from api.register_file import cell_text
from domain.errors import InvalidInput
from domain.i18n import N_
from domain.models import Gender, Relation
from domain.personal_data import id_number_check_digit

TAG_SEPARATORS = r"[,，、;；/\s]+"


GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "male": Gender.MALE, "female": Gender.FEMALE,
           "m": Gender.MALE, "f": Gender.FEMALE, "未知": Gender.UNKNOWN}  # fmt: skip


GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女", Gender.UNKNOWN: ""}


RELATION_LABELS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDPARENT: "祖父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹",
    Relation.OTHER: "其他",
}


RELATIONS = {label: relation for relation, label in RELATION_LABELS.items()} | {
    relation.value: relation for relation in Relation
} | {"本人": Relation.HEAD, "是": Relation.HEAD, "夫": Relation.SPOUSE, "妻": Relation.SPOUSE,
     "丈夫": Relation.SPOUSE, "妻子": Relation.SPOUSE, "子": Relation.CHILD, "女": Relation.CHILD,
     "儿子": Relation.CHILD, "女儿": Relation.CHILD, "父亲": Relation.PARENT,
     "母亲": Relation.PARENT, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
     "外孙": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD}  # fmt: skip


PARTY_LABELS = ("中共党员", "中共预备党员")


_YES = {"是", "yes", "y", "true", "1", "党员", "中共党员"}


_NO = {"否", "no", "n", "false", "0", "", "群众"}


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _birth_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).split(" ")[0]
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidInput("birthDate", N_("{text} is not a date (write 1950-03-21)"), text=repr(text))


def split_tags(value: object, vocabulary: list[str]) -> list[str]:
    words = [w for w in re.split(TAG_SEPARATORS, cell_text(value)) if w]
    for word in words:
        if word not in vocabulary:
            raise InvalidInput(
                "tags",
                N_("unknown tag {tag}; the community's tags are: {allowed}"),
                tag=word,
                allowed="、".join(vocabulary),
            )
    return sorted(set(words))


def _party_member(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput("partyMember", N_("{text}: write 是 or 否"), text=repr(cell_text(value)))


def _gender(value: object) -> Gender | None:
    text = cell_text(value).casefold()
    if not text:
        return None
    if text not in GENDERS:
        raise InvalidInput("gender", N_("{text}: write 男 or 女"), text=repr(cell_text(value)))
    return GENDERS[text]


def _relation(value: object) -> Relation | None:
    text = cell_text(value).casefold()
    if not text or text in ("否",):
        return None
    if text not in RELATIONS:
        raise InvalidInput(
            "relationToHead",
            N_("{text}: write 户主 (or 本人), 配偶, 子女, 父母, 祖父母, 孙子女, 兄弟姐妹 or 其他"),
            text=repr(cell_text(value)),
        )
    return RELATIONS[text]


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


def id_number_text(value: object) -> str | None:
    """The ID number as the cell holds it, refusing one Excel turned into a number: 1.20104E+17,
    a numeric XLSX cell, or 18 digits whose last three became 000 (Excel keeps 15 digits)."""
    if isinstance(value, bool) or value is None:
        return None
    numeric = isinstance(value, int | float)
    text = cell_text(value)
    zeroed = len(text) == 18 and text.isdigit() and text.endswith("000")
    if zeroed and id_number_check_digit(text[:17]) == "0":
        zeroed = False  # a real number may end in 000: its check digit says so
    if numeric or _SCIENTIFIC.match(text) or zeroed:
        raise InvalidInput(
            "idNumber",
            N_(
                "{text}: Excel turned this ID number into a number and lost its last digits; "
                "set the column's format to 文本 (text), or start the number with ', and retype it"
            ),
            text=text,
        )
    return text or None


def resident_fields(cells: dict[str, Any], vocabulary: list[str]) -> dict[str, Any]:
    """A row's checked values; a column the file lacks, or a blank cell, is left out (None),
    so that re-importing a thinner register never erases what the community recorded."""
    political = cell_text(cells.get("political_status")) or None
    party = _party_member(cells.get("party_member"))
    if party is None and political is not None:
        party = political in PARTY_LABELS
    fields: dict[str, Any] = {
        "name": cell_text(cells.get("name")),
        "phone": cell_text(cells.get("phone")) or None,
        "id_number": id_number_text(cells.get("id_number")),
        "birth_date": _birth_date(cells.get("birth_date")),
        "tags": split_tags(cells.get("tags"), vocabulary) if cell_text(cells.get("tags")) else None,
        "party_member": party,
        "political_status": political,
        "gender": _gender(cells.get("gender")),
        "relation_to_head": _relation(cells.get("relation_to_head")),
    }
    if not fields["name"]:
        raise InvalidInput("name", N_("is required"))
    born, id_number = fields["birth_date"], fields["id_number"]
    if born and id_number and len(id_number) == 18 and id_number[6:14] != f"{born:%Y%m%d}":
        raise InvalidInput("birthDate", N_("does not match the date of birth in the ID number"))
    return fields
