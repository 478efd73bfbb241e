"""A frame big enough to draw from: C001 40 households in 4 buildings, C002 24 in 3, C003 5 in 1."""

from __future__ import annotations

import pytest

from tests.manage.conftest import admin, signed_in  # noqa: F401  (fixtures of the round pages)

HEADER = "district_code,district_name,street_code,street_name,community_code,community_name,building,unit,address\n"
LAYOUT = {("S01", "C001"): (4, 10), ("S01", "C002"): (3, 8), ("S02", "C003"): (1, 5)}


def frame_csv() -> str:
    lines = [HEADER]
    for (street, community), (buildings, units) in LAYOUT.items():
        for b in range(1, buildings + 1):
            for u in range(1, units + 1):
                lines.append(f"D01,东城区,{street},街道{street},{community},社区{community},{b},{b}-{u:02d},\n")
    return "".join(lines)


@pytest.fixture
def town(app):
    """The built-in questionnaire published and the frame above loaded (it makes the take-all round R1)."""
    from questionnaires import builtin
    from survey.services import frame, versions

    with app.app_context():
        versions.publish(builtin())
        frame.import_frame(frame_csv().encode("utf-8"), source="town.csv")
    return app


def invoke(runner, *args):
    """Run a flask command; return (exit code, stdout, stderr)."""
    result = runner.invoke(args=[str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
