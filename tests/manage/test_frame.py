"""Loading the sampling frame: good files, idempotent re-loads, later files, and refused files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.errors import FrameError
from survey.extensions import db
from survey.models import Community, District, Household, HouseholdContact, Street, Token
from survey.services import frame
from tests.conftest import SMALL_FRAME

HEADER = SMALL_FRAME.splitlines()[0]


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (District, Street, Community, Household, HouseholdContact, Token)
    }


def load(text: str, encoding: str = "utf-8"):
    return frame.import_frame(text.encode(encoding), source="test.csv")


def refused(app, text: str | bytes) -> list[tuple[int, str]]:
    """Load a bad file: assert it is refused whole and nothing is stored; return the problems."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with app.app_context():
        before = counts()
        with pytest.raises(FrameError) as err:
            frame.import_frame(data, source="bad.csv")
        assert counts() == before
    return err.value.problems


def test_good_file_loads_geography_households_contacts_and_tokens(app):
    with app.app_context():
        report = load(SMALL_FRAME)
        assert (report.districts, report.streets, report.communities) == (1, 2, 2)
        assert (report.households_added, report.households_updated, report.households_unchanged) == (4, 0, 0)
        assert report.tokens_issued == 6 and report.communities_added == 2
        assert counts() == {"District": 1, "Street": 2, "Community": 2, "Household": 4,
                            "HouseholdContact": 4, "Token": 6}
        community = db.session.scalar(select(Community).filter_by(code="C001"))
        assert community.name == "和平里社区" and community.street.district.name == "东城区"
        household = db.session.scalar(select(Household).filter_by(community_id=community.id, unit="101"))
        assert household.contact.address == "和平里1号楼101"
        kinds = db.session.execute(select(Token.kind, func.count()).group_by(Token.kind)).all()
        assert dict(kinds) == {"household": 4, "community": 2}
        assert all(len(t) == 32 for t in db.session.scalars(select(Token.token)))


def test_bom_crlf_blank_trailing_rows_and_spaces_are_tolerated(app):
    text = SMALL_FRAME.replace("\n", "\r\n").replace("和平里社区,1,101", "和平里社区, 1 ,101")
    text += ",,,,,,,,\r\n\r\n"
    with app.app_context():
        report = frame.import_frame(b"\xef\xbb\xbf" + text.encode("utf-8"), source="excel.csv")
        assert report.households_added == 4
        assert db.session.scalar(select(func.count()).select_from(Household).filter_by(building="1")) == 2


def test_reloading_the_same_file_changes_nothing(app):
    with app.app_context():
        load(SMALL_FRAME)
        tokens = set(db.session.scalars(select(Token.token)))
        report = load(SMALL_FRAME)
        assert (report.households_added, report.households_updated, report.households_unchanged) == (0, 0, 4)
        assert report.tokens_issued == 0 and report.names_updated == 0 and not report.changed
        assert set(db.session.scalars(select(Token.token))) == tokens


def test_later_file_adds_households_and_updates_names_and_addresses(app):
    later = (
        HEADER + "\n"
        "D01,东城区,S01,和平街道,C001,和平里社区（新）,1,101,和平里1号楼1单元101\n"
        "D01,东城区,S01,和平街道,C001,和平里社区（新）,1,102,\n"
        "D01,东城区,S01,和平街道,C001,和平里社区（新）,3,301,和平里3号楼301\n"
        "D02,西城区,S03,新街口街道,C003,新街口社区,7,701,\n"
    )
    with app.app_context():
        load(SMALL_FRAME)
        report = load(later)
        assert (report.households_added, report.households_updated, report.households_unchanged) == (2, 1, 1)
        assert report.tokens_issued == 3 and report.communities_added == 1 and report.names_updated == 1
        assert db.session.scalar(select(Community.name).filter_by(code="C001")) == "和平里社区（新）"
        addresses = set(db.session.scalars(select(HouseholdContact.address)))
        assert "和平里1号楼1单元101" in addresses and "和平里1号楼101" not in addresses
        assert counts()["Household"] == 6  # the two households missing from the later file are kept


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        ("district_code,district_name,street_code\nD01,东城区,S01\n", 1, "missing column(s): street_name"),
        (HEADER + ",phone\n", 1, "unknown column(s): phone"),
        (HEADER + "\nD01,东城区,S01,和平街道,C001,和平里社区,1,101\n", 2, "8 values where the header has 9"),
        (HEADER + "\nD01,东城区,S01,和平街道,C001,,1,101,\n", 2, "community_name is empty"),
        (HEADER + "\nD01,东城区,S01,和平街道,C001,和平里社区,1,,\n", 2, "unit is empty"),
        (HEADER + "\nD01,东城区,S01,和平街道,C 1,和平里社区,1,101,\n", 2,
         "community_code 'C 1' may hold only"),
        (HEADER + "\nD01,东城区,S01,和平街道,C001,和平里社区," + "楼" * 65 + ",101,\n", 2,
         "building is 65 characters long (at most 64)"),
        (HEADER + "\nD01,东城区,S01,和平街道,C001,和平里社区,1,101," + "a" * 501 + "\n", 2, "address is 501"),
        (SMALL_FRAME + "D01,东城区,S01,和平街道,C001,和平里,9,901,\n", 6,
         "community C001 is named '和平里' here but '和平里社区' on row 2"),
        (SMALL_FRAME + "D01,东城区,S02,安定街道,C001,和平里社区,9,901,\n", 6,
         "community C001 is in street S02 here but in street S01 on row 2"),
        (SMALL_FRAME + "D09,朝阳区,S01,和平街道,C009,新社区,9,901,\n", 6,
         "street S01 is in district D09 here but in district D01 on row 2"),
        (SMALL_FRAME + "D01,东城,S09,新街道,C009,新社区,9,901,\n", 6,
         "district D01 is named '东城' here but '东城区' on row 2"),
        (SMALL_FRAME + "D01,东城区,S01,和平街道,C001,和平里社区,1,101,again\n", 6,
         "household C001 building 1 unit 101 already appears on row 2"),
        ("", 0, "the file is empty"),
    ],
    ids=["missing-column", "unknown-column", "column-count", "empty-name", "empty-unit", "bad-code",
         "long-building", "long-address", "two-names", "two-streets", "two-districts", "district-names",
         "duplicate-household", "empty-file"],
)
def test_malformed_file_is_refused_whole_with_row_numbers(app, text, row, words):
    problems = refused(app, text)
    assert any(r == row and words in reason for r, reason in problems), problems


def test_every_problem_is_reported_at_once(app):
    text = (HEADER + "\nD01,东城区,S01,和平街道,C001,和平里社区,1,101,\n"
            ",东城区,S01,和平街道,C001,和平里社区,1,102,\n"
            "D01,东城区,S01,和平街道,C001,和平里社区,1,101,\n"
            "D01,东城区,S01,和平街道,C001,和平里社区,1\n")
    problems = refused(app, text)
    assert [row for row, _ in problems] == [3, 4, 5]
    assert "district_code is empty" in str(FrameError(problems))


def test_gbk_file_is_refused_with_a_clear_message(app):
    problems = refused(app, SMALL_FRAME.encode("gbk"))
    row, message = problems[0]
    assert row == 0 and "not UTF-8" in message and "CSV UTF-8" in message
    assert [row for row, _ in problems[1:]] == [2, 3, 4, 5]


def test_a_file_cannot_move_a_community_to_another_street(app):
    with app.app_context():
        load(SMALL_FRAME)
    moved = HEADER + "\nD01,东城区,S02,安定街道,C001,和平里社区,8,801,\n"
    problems = refused(app, moved)
    assert problems == [(2, "community C001 belongs to street S01 in the database; "
                            "a frame file cannot move it to street S02")]


def test_a_file_cannot_move_a_street_to_another_district(app):
    with app.app_context():
        load(SMALL_FRAME)
    moved = HEADER + "\nD02,西城区,S01,和平街道,C001,和平里社区,8,801,\n"
    problems = refused(app, moved)
    assert problems == [(2, "street S01 belongs to district D01 in the database; "
                            "a frame file cannot move it to district D02")]


def test_large_frame_loads_with_bulk_statements(app):
    lines = [HEADER]
    for c in range(40):
        for h in range(250):
            lines.append(f"D01,东城区,S{c % 4},街道{c % 4},C{c:03d},社区{c},{h // 10},{h % 10:02d},地址{h}")
    text = "\n".join(lines) + "\n"
    with app.app_context():
        report = load(text)
        assert report.households_added == 10_000 and report.tokens_issued == 10_040
        again = load(text)
        assert again.households_unchanged == 10_000 and not again.changed
