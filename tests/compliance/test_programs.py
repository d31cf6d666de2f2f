"""Program files: the shipped ones load and cross-reference; a malformed file stops the start with a
message naming the file and the field."""

from pathlib import Path

import pytest

from hubapp import create_app
from hubapp.compliance.programs import RULES, ProgramFileError, load_programs
from tests.conftest import base_config

GOOD = """
[program]
code = "X"
title = "試験事業"
seed = "000.txt"
document = "試験県 試験事業の実施要綱"
authority = "試験県"

[[items]]
code = "X-1"
title = "会議"
passage = "1"
quote = "会議を開く"
domains = ["meetings"]
rule = { type = "meetings", min = 2, kinds = ["multidisciplinary"] }
"""


def test_the_shipped_programs_load_and_cover_every_rule_type():
    programs = load_programs()
    assert {"A", "B", "C", "D", "E", "SUISHIN"} <= set(programs)
    used = {item.rule.type for p in programs.values() for item in p.items}
    assert used == set(RULES)
    d = programs["D"]
    assert d.maps_to == "SUISHIN" and d.menus
    assert all(programs["SUISHIN"].item(code) for item in d.items for code in item.maps_to)
    a = programs["A"]
    assert a.item("A-1").rule.get("min") == 4  # 年４回以上
    assert all(item.quote and item.passage for p in programs.values() for item in p.items)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('code = "X-1"', 'code = "X-1"\ncolour = "red"'), "items[1]: unknown field 'colour'"),
        (lambda t: t.replace('title = "会議"\n', ""), "items[1]: missing field 'title'"),
        (
            lambda t: t.replace('type = "meetings"', 'type = "parties"'),
            "items[1].rule.type: unknown rule type 'parties'",
        ),
        (lambda t: t.replace("min = 2", 'min = "two"'), "items[1].rule.min: expected int"),
        (lambda t: t.replace('"multidisciplinary"', '"tea_party"'), "items[1].rule.kinds: unknown value 'tea_party'"),
        (lambda t: t.replace('domains = ["meetings"]', 'domains = ["weather"]'), "items[1].domains"),
        (lambda t: t.replace('[program]\ncode = "X"', "[program]"), "[program]: missing field 'code'"),
        (
            lambda t: (
                t
                + '\n[[items]]\ncode = "X-1"\ntitle="t"\npassage="p"\nquote="q"\n'
                + 'domains=["manual"]\nrule={type="manual"}\n'
            ),
            "items[2].code: 'X-1' appears twice",
        ),
        (lambda t: t.replace("[[items]]", "[[items"), "not valid TOML"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_field(tmp_path, change, message):
    (tmp_path / "x_test.toml").write_text(change(GOOD), encoding="utf-8")
    with pytest.raises(ProgramFileError) as raised:
        load_programs(tmp_path)
    assert str(raised.value).startswith("x_test.toml")
    assert message in str(raised.value)


def test_the_app_does_not_start_with_a_malformed_program(tmp_path, database_url, make_app):
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "broken.toml").write_text(GOOD.replace("min = 2", "min = -1"), encoding="utf-8")
    with pytest.raises(ProgramFileError, match=r"broken.toml: items\[1\].rule.min"):
        create_app(base_config(database_url) | {"COMPLIANCE_PROGRAM_DIR": str(folder)}, instance_path=str(tmp_path))
    (folder / "broken.toml").write_text(GOOD, encoding="utf-8")
    app = make_app(database_url, COMPLIANCE_PROGRAM_DIR=str(folder))
    assert set(app.extensions["compliance_programs"]) == {"X"}


def test_a_new_program_is_a_new_file(tmp_path):
    for name in Path(load_programs.__globals__["PROGRAM_DIR"]).glob("*.toml"):
        (tmp_path / name.name).write_text(name.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "z_new.toml").write_text(GOOD, encoding="utf-8")
    assert "X" in load_programs(tmp_path)
