"""Dashboard, community page, household QR sheet and community posters, as an administrator sees them."""

from __future__ import annotations

import base64
import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from survey.extensions import db
from survey.models import Community, Token
from tests.manage.helpers import add_response


def decode_png(data: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def row_cells(html: str, code: str) -> list[str]:
    """The numbers of the dashboard row of ``code``."""
    row = re.search(rf'<tr class="[a-z]+" data-code="{code}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r'<td class="n">([^<]*)</td>', row)


@pytest.fixture
def answered(app, city):
    with app.app_context():
        vid = city["version_id"]
        add_response(vid, "C001", household=("1", "101"), status="complete")
        add_response(vid, "C001", household=("1", "102"), status="partial")
        add_response(vid, "C001", household=("2", "201"), status="ineligible")
        add_response(vid, "C001", status="complete")
        add_response(vid, "C002", status="partial")
    return city


def test_dashboard_shows_counts_per_community_street_district_and_total(signed_in, answered):
    html = signed_in.get("/manage/").get_data(as_text=True)
    assert "和平里社区" in html and "安定门社区" in html and "和平街道" in html and "东城区" in html
    # households, links used, complete, partial, ineligible, open-link, household rate
    assert row_cells(html, "C001") == ["3", "2", "2", "1", "1", "1", "33.3%"]
    assert row_cells(html, "C002") == ["1", "0", "0", "1", "0", "1", "0.0%"]
    assert row_cells(html, "S01") == row_cells(html, "C001")
    assert row_cells(html, "D01") == ["4", "2", "2", "2", "1", "2", "25.0%"]
    assert row_cells(html, "total") == row_cells(html, "D01")
    assert 'href="/manage/communities/C001"' in html


def test_dashboard_without_frame_invites_to_load_one(signed_in):
    html = signed_in.get("/manage/").get_data(as_text=True)
    assert "还没有抽样框" in html and 'href="/manage/frame"' in html


def test_community_page_lists_households_and_links(signed_in, answered):
    html = signed_in.get("/manage/communities/C001").get_data(as_text=True)
    assert "和平里社区" in html and "和平街道" in html
    assert "住户 Households (3)" in html
    assert html.count("完成 complete") == 1 and html.count("未完成 partial") == 1
    assert "/manage/communities/C001/qr-sheet" in html and "/manage/communities/C001/poster.png" in html
    assert re.search(r"http://survey\.test/r/[A-Za-z0-9_-]{32}", html)
    assert "和平里1号楼101" not in html  # no addresses


def test_unknown_community_is_404(signed_in, city):
    assert signed_in.get("/manage/communities/NOPE").status_code == 404
    assert signed_in.get("/manage/communities/NOPE/qr-sheet").status_code == 404
    assert signed_in.get("/manage/communities/NOPE/poster.png").status_code == 404


def test_qr_sheet_has_one_card_per_household_with_labels_and_no_address(app, signed_in, city):
    html = signed_in.get("/manage/communities/C001/qr-sheet").get_data(as_text=True)
    cards = re.findall(r'<article class="qr-card">(.*?)</article>', html, re.S)
    assert len(cards) == 3
    assert all("和平里社区" in card for card in cards)
    assert [re.search(r'class="dwelling">([^<]+)<', card).group(1) for card in cards] == \
        ["1号楼 101", "1号楼 102", "2号楼 201"]
    assert all("请用手机扫描二维码，填写文明城市创建入户调查问卷（每户限填一次）" in card for card in cards)
    assert "和平里1号楼101" not in html and "和平里2号楼201" not in html
    assert 'href="/static/qr-sheet.css"' in html  # print layout: no inline style (the CSP allows none)
    css = signed_in.get("/static/qr-sheet.css")
    assert "@media print" in css.text and "break-after: page" in css.text
    css.close()
    with app.app_context():
        secrets = set(db.session.scalars(select(Token.token).filter_by(kind="household")))
    for card in cards:
        png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', card).group(1))
        url = re.search(r'class="url">([^<]+)<', card).group(1)
        assert decode_png(png) == [url]
        assert url.removeprefix("http://survey.test/r/") in secrets


def test_qr_sheet_puts_twelve_cards_on_a_page(app, signed_in, city):
    from survey.services import frame

    rows = "".join(f"D01,东城区,S01,和平街道,C001,和平里社区,9,{n},\n" for n in range(1, 11))
    with app.app_context():
        frame.import_frame(("district_code,district_name,street_code,street_name,community_code,"
                            "community_name,building,unit,address\n" + rows).encode(), source="more.csv")
    html = signed_in.get("/manage/communities/C001/qr-sheet").get_data(as_text=True)
    pages = re.findall(r'<section class="sheet">(.*?)</section>', html, re.S)
    assert [page.count('class="qr-card"') for page in pages] == [12, 1]
    labels = re.findall(r'class="dwelling">([^<]+)<', html)
    assert labels[3:6] == ["9号楼 1", "9号楼 2", "9号楼 3"] and labels[-1] == "9号楼 10"  # natural order


def community_url(app, code: str) -> str:
    with app.app_context():
        place = db.session.scalar(select(Community).filter_by(code=code))
        secret = db.session.scalar(select(Token.token).filter_by(community_id=place.id, kind="community"))
    return f"http://survey.test/r/{secret}"


def test_poster_png_decodes_to_the_community_link(app, signed_in, city):
    response = signed_in.get("/manage/communities/C002/poster.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert 'filename="poster-C002.png"' in response.headers["Content-Disposition"]
    assert decode_png(response.data) == [community_url(app, "C002")]


def test_poster_svg_is_an_svg_image(signed_in, city):
    response = signed_in.get("/manage/communities/C002/poster.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith((b"<svg", b"<?xml")) and b"<path" in response.data
