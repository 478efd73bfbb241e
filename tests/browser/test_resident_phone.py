"""A resident on a phone: scan the door-hanger QR, answer everything in Chinese, get thanked.

Drives Debian's Chromium (``/usr/bin/chromium``) through Playwright on a phone-sized viewport against
the app served on a local port.  The household link is the one decoded from the QR image that
``flask export-qr`` wrote, and the response is looked up in the file ``flask export-responses`` writes.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
ELIGIBLE = {"S1": "4", "S2": "3", "H1": "2"}

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(10)


def decode_qr(path: Path) -> str:
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, f"{path} holds {len(found)} QR codes"
    return found[0].text


def answer_page(page) -> None:
    """Tap an answer for every question shown; eligible adult for the screening items."""
    for fieldset in page.locator("fieldset.question").all():
        code = fieldset.get_attribute("id").removeprefix("q-")
        radios = fieldset.locator("input[type=radio], input[type=checkbox]")
        if radios.count():
            wanted = ELIGIBLE.get(code)
            target = fieldset.locator(f"input[value='{wanted}']") if wanted else radios.first
            target.locator("xpath=..").tap()  # tap the label, as a thumb would
            assert target.is_checked()
        else:
            fieldset.locator("textarea, input").first.fill(ELIGIBLE.get(code, "希望小区加装电梯"))


def test_resident_answers_on_phone_from_qr(app, runner, city, live_url, tmp_path):
    out = tmp_path / "qr"
    result = runner.invoke(args=["export-qr", "--community", "C001", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "index.csv").open(encoding="utf-8-sig") as fh:
        index = list(csv.DictReader(fh))
    assert len(index) == 3 and len(list(out.glob("*.png"))) == 3
    link = decode_qr(out / index[0]["file"])
    assert link == index[0]["url"] and link.startswith(live_url + "/r/")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(**PHONE).new_page()
        page.goto(link)
        assert "文明" in page.title() or page.locator("h1").count() == 1
        with page.expect_navigation():
            page.get_by_role("link", name="开始答题").tap()
        for _ in range(20):
            if page.locator("h1", has_text="感谢您的参与").count():
                break
            assert page.locator("progress").count() == 1
            answer_page(page)
            with page.expect_navigation():
                page.locator("button[type=submit]").tap()
            assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()
        heading = page.locator("h1").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert heading == "感谢您的参与！"
    assert width <= 390, "the page scrolls sideways on a phone"

    export = tmp_path / "responses.csv"
    result = runner.invoke(args=["export-responses", "--out", str(export)])
    assert result.exit_code == 0, result.output
    with export.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    row = rows[0]
    assert row["community"] == "C001" and row["status"] == "complete" and row["mode"] == "qr_household"
    assert row["S1"] == "4" and row["S2"] == "3" and row["E1"] == "希望小区加装电梯"
