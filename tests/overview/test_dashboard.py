"""The dashboard page in real headless Chromium: screenshots at phone and desktop width, nothing fetched,
an accessibility check (text for every step cell and link, headings in order, the page's language,
contrast of the status colours), and text from repositories that cannot inject markup."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import git, run_sopkit
from tests.office import Office
from tests.overview.browser import Browser, contrast, page_url
from tests.overview.conftest import new_app
from toolkit.i18n import set_language
from toolkit.overview.dashboard import Links, page
from toolkit.overview.model import Request, Transition

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
REQUESTS = [
    Request(
        "2026-014",
        "Sistem Informasi Kepegawaian",
        "Badan Kepegawaian Daerah",
        "assigned",
        (
            Transition("diterima TU, agenda 112", "Ani", dt.date(2026, 3, 2)),
            Transition("disposisi ke Kabid", "Dedi", dt.date(2026, 3, 3), "segera proses"),
            Transition("surat tugas", "Budi", dt.date(2026, 3, 9)),
        ),
        "server.git",
    ),
    Request(
        "2026-015",
        HOSTILE,
        "Dinas <b>Pendidikan</b>",
        "recorded",
        (Transition(HOSTILE, HOSTILE, dt.date(2026, 3, 4)),),
    ),
]


@pytest.fixture(scope="module")
def dashboard(fleet: tuple[Path, Office], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The page of the fleet, a hostile application beside it, and two made-up requests."""
    from toolkit.forge.plain.status import status

    root, _office = fleet
    hostile = new_app(root / "jahat<b>", "app_name=Jahat")
    answers = hostile / ".copier-answers.yml"
    text = answers.read_text(encoding="utf-8").replace("app_name: Jahat", f'app_name: "{HOSTILE}"')
    answers.write_text(text, encoding="utf-8")
    git(hostile, "commit", "-qam", "nama", "--no-verify")
    out = tmp_path_factory.mktemp("dashboard")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        set_language("id")
        (out / "index.html").write_text(
            page(status(root), REQUESTS, generated="2026-03-10"), encoding="utf-8"
        )
    yield out / "index.html"
    import shutil

    shutil.rmtree(hostile)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chrome = Browser()
    yield chrome
    chrome.close()


@pytest.mark.parametrize(("width", "height", "mobile"), [(390, 844, True), (1280, 800, False)])
def test_the_page_renders_at_phone_and_desktop_width(
    dashboard: Path, browser: Browser, width: int, height: int, mobile: bool
) -> None:
    browser.events.clear()
    browser.open(page_url(dashboard), width, height, mobile)
    shot = Image.open(io.BytesIO(browser.screenshot())).convert("L")
    assert shot.width == width and shot.height >= height  # the whole page, at least one screen
    pixels = list(shot.tobytes())
    assert statistics.pvariance(pixels) > 500  # not blank: text and coloured cells on white
    assert browser.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    # every step of every application is a cell; nothing is fetched but the page itself
    assert browser.evaluate("document.querySelectorAll('ol.steps').length") == 3  # and 2 cannot decide
    assert browser.evaluate("[...document.querySelectorAll('ol.steps')].every(o => o.children.length === 17)")
    fetched = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert fetched == [page_url(dashboard)]
    if mobile:  # the step cells wrap onto more lines instead of shrinking past reading
        assert browser.evaluate("document.querySelector('ol.steps li').getBoundingClientRect().width") >= 30


def test_text_from_repositories_and_requests_cannot_inject(dashboard: Path, browser: Browser) -> None:
    browser.open(page_url(dashboard), 1280, 800, False)
    assert browser.evaluate("document.scripts.length") == 0
    assert browser.evaluate("document.images.length") == 0
    assert browser.evaluate("document.title") == "Dasbor SOP"
    assert browser.evaluate("document.querySelectorAll('b').length") == 0
    headings = browser.evaluate("[...document.querySelectorAll('h3')].map(h => h.textContent)")
    assert HOSTILE in headings  # shown as the text it is
    assert any("2026-015" in h and HOSTILE in h for h in headings)
    source = dashboard.read_text(encoding="utf-8")
    assert "<script" not in source and "&lt;script&gt;" in source


def test_the_page_is_accessible(dashboard: Path, browser: Browser) -> None:
    browser.open(page_url(dashboard), 390, 844, True)
    assert browser.evaluate("document.documentElement.lang") == "id"
    nodes = browser.call("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}

    def role(node: dict) -> str:  # type: ignore[type-arg]
        return str(node.get("role", {}).get("value", ""))

    def name(node: dict) -> str:  # type: ignore[type-arg]
        return str(node.get("name", {}).get("value", ""))

    def text_below(node: dict) -> str:  # type: ignore[type-arg]
        found = [name(node)] if role(node) == "StaticText" and not node.get("ignored") else []
        return " ".join(
            found + [text_below(by_id[c]) for c in node.get("childIds", []) if c in by_id]
        ).strip()

    levels = [
        int(next(p["value"]["value"] for p in n.get("properties", []) if p["name"] == "level"))
        for n in nodes
        if role(n) == "heading" and not n.get("ignored")
    ]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels  # no level skipped
    cells = [n for n in nodes if role(n) == "listitem" and not n.get("ignored")]
    step_cells = [text_below(c) for c in cells if ":" in text_below(c) and text_below(c)[0].isdigit()]
    assert len(step_cells) == 3 * 17
    assert all(
        any(word in t for word in ("lengkap", "belum", "menunggu", "tertahan", "tidak sah", "usang"))
        for t in step_cells
    )
    links = [n for n in nodes if role(n) == "link" and not n.get("ignored")]
    assert links and all(name(n).strip() for n in links)
    assert not [n for n in nodes if role(n) in ("image", "img") and not name(n).strip()]
    pairs = browser.evaluate(
        """[...document.querySelectorAll('[class*="st-"], .meta, a, h1, h2, h3, .late, summary')].map(e => {
             let bg = 'rgba(0, 0, 0, 0)', x = e;
             while (x && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
               bg = getComputedStyle(x).backgroundColor; x = x.parentElement; }
             return [e.className || e.tagName, getComputedStyle(e).color, bg]; })"""
    )
    assert len(pairs) > 3 * 17
    low = {(what, fg, bg): round(contrast(fg, bg), 2) for what, fg, bg in pairs if contrast(fg, bg) < 4.5}
    assert not low, low


def test_dashboard_command_writes_one_page(fleet: tuple[Path, Office], tmp_path: Path) -> None:
    root, _office = fleet
    out = tmp_path / "web"
    result = run_sopkit("--lang", "en", "dashboard", str(root), "--out", str(out),
                        "--repo-url", "https://git.example.go.id/{repo}")  # fmt: skip
    assert result.exit_code == 2, result.stderr  # the broken repositories are on the page with reasons
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "SOP dashboard" in html
    assert 'href="https://git.example.go.id/server.git"' in html and "cannot decide" in html
    assert "No request registry was given." in html
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    bad = run_sopkit(
        "dashboard", str(root), "--out", str(out), "--repo-url", "javascript:alert(1)//{repo}", lang="en"
    )
    assert bad.exit_code == 2 and "must be an http(s) address" in bad.stderr
    link = tmp_path / "link"
    link.symlink_to(out)
    refused = run_sopkit("dashboard", str(root), "--out", str(link), lang="en")
    assert refused.exit_code == 2 and "symbolic link" in refused.stderr


def test_documents_link_to_files_or_to_the_office_server(fleet: tuple[Path, Office]) -> None:
    from toolkit.forge.plain.status import status

    root, _office = fleet
    apps = {a.repo: a for a in status(root)}
    local = page([apps["server.git"], apps["app"]], [])
    assert "No requests." in local or "Tidak ada permintaan." in local
    # the server's repository has no files on disk: its documents are listed, not linked
    assert "01-permintaan" in local and (root / "app" / "docs").as_uri() in local
    hosted = page(
        [apps["server.git"]], links=Links("https://git.x/{repo}", "https://git.x/{repo}/src/{branch}/{path}")
    )
    assert "https://git.x/server.git/src/main/docs/01-permintaan/" in hosted
