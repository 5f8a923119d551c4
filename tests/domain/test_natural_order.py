"""The natural key: the byte order of keys is the order people read names in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.natural_order import KEY_MAX, composite_key, explicit_key, natural_key

DIGITS = "一二三四五六七八九"


def chinese(n: int) -> str:
    """1..999 written the ordinary way: 十一, 二十, 一百零一, 一百一十五 (independent of cn2an)."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    if hundreds == 0:
        text = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens - 1] + "十")
        return text + (DIGITS[ones - 1] if ones else "")
    text = DIGITS[hundreds - 1] + "百"
    if rest == 0:
        return text
    if tens == 0:
        return text + "零" + DIGITS[ones - 1]
    return text + DIGITS[tens - 1] + "十" + (DIGITS[ones - 1] if ones else "")


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def compare(a: str, b: str) -> int:
    return (a > b) - (a < b)


def test_the_issue_examples_read_in_order() -> None:
    grids = ["第一网格", "第三网格", "第二网格", "第四网格", "第十一网格", "第二十网格", "第十网格"]
    assert sorted(grids, key=natural_key) == [
        "第一网格",
        "第二网格",
        "第三网格",
        "第四网格",
        "第十网格",
        "第十一网格",
        "第二十网格",
    ]
    assert sorted(["1001", "1002", "101", "102", "99"], key=natural_key) == [
        "99",
        "101",
        "102",
        "1001",
        "1002",
    ]
    buildings = ["10号楼", "A座", "2号楼", "1号楼", "B座", "1号楼A"]
    assert sorted(buildings, key=natural_key) == [
        "1号楼",
        "1号楼A",
        "2号楼",
        "10号楼",
        "A座",
        "B座",
    ]
    assert natural_key("2单元") < natural_key("10单元")


def test_chinese_and_arabic_numerals_and_widths_read_alike() -> None:
    assert natural_key("第十一网格") == natural_key("第11网格") == natural_key("第１１网格")
    assert natural_key("一〇一") == natural_key("101") == natural_key("0101")
    assert natural_key("A座") == natural_key("a座") == natural_key("Ａ 座")


@given(st.integers(0, 10**40), st.integers(0, 10**40))
def test_numbers_sort_as_numbers(a: int, b: int) -> None:
    assert compare(natural_key(str(a)), natural_key(str(b))) == sign(a - b)


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from(["", "第", "楼", "A"]),
    st.sampled_from(["", "号楼", "单元", "室", "-1"]),
)
def test_numbers_inside_names_sort_as_numbers(a: int, b: int, before: str, after: str) -> None:
    key_a, key_b = natural_key(f"{before}{a}{after}"), natural_key(f"{before}{b}{after}")
    assert compare(key_a, key_b) == sign(a - b)


@given(st.integers(1, 999), st.integers(1, 999))
def test_chinese_numerals_sort_as_numbers(a: int, b: int) -> None:
    key_a, key_b = natural_key(f"第{chinese(a)}网格"), natural_key(f"第{chinese(b)}网格")
    assert compare(key_a, key_b) == sign(a - b)
    assert key_a == natural_key(f"第{a}网格")


def test_chinese_numerals_one_to_ninety_nine_in_order() -> None:
    names = [f"第{chinese(n)}网格" for n in range(99, 0, -1)]
    assert sorted(names, key=natural_key) == [f"第{chinese(n)}网格" for n in range(1, 100)]


@given(st.tuples(*[st.integers(0, 3000)] * 3), st.tuples(*[st.integers(0, 3000)] * 3))
def test_addresses_sort_by_building_then_unit_then_room(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    def key(address: tuple[int, int, int]) -> str:
        building, unit, room = address
        return composite_key((f"{building}号楼", f"{unit}单元", str(room)))

    assert compare(key(a), key(b)) == (a > b) - (a < b)


def test_a_building_that_is_a_prefix_of_another_comes_first_whatever_follows() -> None:
    assert composite_key(("1", "9", "999")) < composite_key(("1A", "1", "101"))
    assert composite_key(("1", "9", "999")) < composite_key(("1号楼", "1", "101"))
    assert composite_key(("9号楼", "2", "1")) < composite_key(("A座", "1", "1"))


@given(st.text(max_size=100))
def test_keys_fit_their_column_and_hold_no_nul(text: str) -> None:
    key = natural_key(text)
    assert len(key) <= KEY_MAX and "\x00" not in key
    assert len(explicit_key(999_999, text)) <= KEY_MAX
    assert len(explicit_key(None, text)) <= KEY_MAX
    assert len(composite_key((text[:20], text[20:40], text[40:60]))) <= KEY_MAX


@given(st.integers(1, 999_999), st.integers(1, 999_999), st.text(max_size=30))
def test_explicit_places_come_first_in_their_order(a: int, b: int, name: str) -> None:
    if a != b:  # the place decides, not the name
        assert compare(explicit_key(a, "第九网格"), explicit_key(b, "第一网格")) == sign(a - b)
    assert explicit_key(a, "第九网格") < explicit_key(None, name)
