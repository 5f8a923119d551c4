"""Keep the message catalogs in step with the code: ``python tools/catalog.py``.

Extracts every ``N_("...")`` template from the packages (Babel, ``babel.cfg``), merges them
into ``domain/locale/zh/LC_MESSAGES/changlang.po`` (new ones empty, vanished ones dropped,
translations kept), writes it, and lists every message id that has no Chinese yet (exit
status 1 while there are any). ``--check`` writes nothing: it only lists what is missing or
out of date, as the test ``tests/domain/test_catalogs.py`` does.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "schema", "sync", "domain")
PO = ROOT / "domain" / "locale" / "zh" / "LC_MESSAGES" / "changlang.po"
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+)[^{}]*\}(?!\})")


def extracted() -> Catalog:
    """Every template marked ``N_`` in the source tree, with where it is used."""
    catalog = Catalog(project="changlang", domain="changlang", charset="utf-8")
    for package in PACKAGES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords={"N_": None},
            comment_tags=("TRANSLATORS:",),
        ):
            catalog.add(
                message,
                locations=[(f"{package}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def current() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh", domain="changlang")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(template: Catalog, translated: Catalog) -> list[str]:
    """Message ids with no Chinese, or whose Chinese lacks or adds a ``{placeholder}``."""
    found = []
    for message in template:
        if not message.id:
            continue
        entry = translated.get(message.id)
        text = entry.string if entry is not None else ""
        if not text or (entry is not None and entry.fuzzy):
            found.append(f"untranslated: {message.id!r}")
        elif placeholders(str(text)) != placeholders(str(message.id)):
            found.append(f"placeholders differ: {message.id!r} -> {text!r}")
    return found


def merged(template: Catalog, translated: Catalog) -> Catalog:
    """``translated`` with exactly the template's ids; its header dates do not churn."""
    created, revised = translated.creation_date, translated.revision_date
    translated.update(template, no_fuzzy_matching=True)
    translated.obsolete.clear()
    translated.creation_date, translated.revision_date = created, revised
    translated.fuzzy = False
    return translated


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, omit_header=False)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; list problems")
    args = parser.parse_args()
    template = extracted()
    catalog = merged(template, current())
    if not args.check:
        PO.write_bytes(render(catalog))
    found = problems(template, catalog)
    for line in found:
        print(line)
    print(f"{len(found)} of {len(template)} messages need work", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
