"""The series as a web book (`make book`): built offline from the stored notebooks, with warnings
as errors, every internal link resolving, and, in headless Chromium, every equation typeset,
every figure loaded, the next buttons walking the series, and no request leaving the machine.

The build and the link checks never skip; the Chromium checks skip, saying why, where Chromium
is not installed.
"""

import contextlib
import functools
import html.parser
import http.server
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from scripts_loader import ROOT, load_script

BOOK = load_script("book_screenshot")
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
# The book in reading order, as its next buttons walk it: the README is the home page.
ORDER = ["index", *(f"notebooks/{name}" for name in NOTEBOOKS), "docs/cheatsheet", "docs/teaching"]
BINDER_REPOSITORY = "https://github.com/OWNER/REPO"


def build(out, repository_url=""):
    """Build the book as `make book` does (warnings are errors); return the seconds it took."""
    start = time.monotonic()
    result = subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-c", "book",
            "-d", str(out / "doctrees"), ".", str(out / "html"),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "REPOSITORY_URL": repository_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return time.monotonic() - start


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    seconds = build(out)
    return out / "html", seconds


@pytest.fixture(scope="module")
def site(book):
    return book[0]


LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src"}


class Links(html.parser.HTMLParser):
    """The ids of a page, and the URLs its elements link to or load."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.loads = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        url = attrs.get(LINKING.get(tag, ""))
        if url:
            self.links.append((tag, url, attrs.get("class") or ""))
            if tag != "a":
                self.loads.append(url)


@functools.cache
def parse(path):
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def binder_links(page):
    return [url for _, url, _ in parse(page).links if url.startswith("https://mybinder.org/v2/")]


def pages(site):
    """The site's pages (_static holds the theme's template macros, which are not pages)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def test_the_build_passes_with_warnings_as_errors_in_under_two_minutes(book):
    site, seconds = book
    assert seconds < 120, f"the build took {seconds:.0f} s"
    size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    print(f"built in {seconds:.1f} s, {size / 1e6:.1f} MB")


def test_every_notebook_has_a_page_and_the_readme_is_the_home_page(site):
    for page in ORDER:
        assert (site / f"{page}.html").is_file(), page
    assert (site / "index.html").read_bytes() == (site / "README.html").read_bytes()
    home = (site / "index.html").read_text()
    assert "Learn focal loss, step by step" in home


def test_the_next_buttons_follow_the_series_order(site):
    for page, following in itertools.pairwise(ORDER):
        nexts = [url for _, url, cls in parse(site / f"{page}.html").links if "right-next" in cls]
        target = (site / page).parent / nexts[0].split("#")[0]
        assert target.resolve() == (site / f"{following}.html").resolve(), page


def test_no_internal_link_is_broken(site):
    broken = []
    for page in pages(site):
        for _tag, url, _ in parse(page).links:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # an external link (arXiv, ...) or a data: URL
            target = page.parent / urllib.parse.unquote(parts.path) if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {url}")
            elif parts.fragment and target.suffix == ".html":
                if parts.fragment not in parse(target).ids:
                    broken.append(f"{page.relative_to(site)}: {url} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_no_page_loads_anything_from_another_host(site):
    remote = [
        f"{page.relative_to(site)}: {url}"
        for page in pages(site)
        for url in parse(page).loads
        if urllib.parse.urlsplit(url).scheme not in ("", "data") or url.startswith("//")
    ]
    assert not remote, "\n".join(remote)


def test_mathjax_ships_with_the_site(site):
    page = (site / "notebooks" / f"{NOTEBOOKS[0]}.html").read_text()
    assert 'src="../_static/mathjax/tex-chtml.js"' in page
    for name in ("tex-chtml.js", "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"):
        assert (site / "_static" / "mathjax" / name).is_file(), name
    assert not (site / "_static" / "mathjax" / "latest.js").exists()  # it asks a CDN


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_page_folds_the_solutions_jupyterlab_folds(site, name):
    cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())["cells"]
    folded = sum(bool(cell["metadata"].get("jupyter", {}).get("source_hidden")) for cell in cells)
    page = (site / "notebooks" / f"{name}.html").read_text()
    assert page.count("Show the solution") == folded


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_page_offers_the_notebook_and_its_student_copy(site, name):
    page = site / "notebooks" / f"{name}.html"
    urls = {url for _, url, _ in parse(page).links}
    for url, original in [
        (f"../_sources/notebooks/{name}.ipynb", ROOT / "notebooks" / f"{name}.ipynb"),
        (f"../student/{name}.ipynb", ROOT / "student" / f"{name}.ipynb"),
    ]:
        assert url in urls
        assert (page.parent / url).read_bytes() == original.read_bytes(), url
    assert not binder_links(page)  # no repository URL set: no launch button


def test_binder_button_appears_once_the_repository_url_is_set(tmp_path):
    build(tmp_path, repository_url=BINDER_REPOSITORY)
    site = tmp_path / "html"
    for name in NOTEBOOKS:
        binder = f"https://mybinder.org/v2/gh/OWNER/REPO/HEAD?urlpath=lab/tree/notebooks/{name}"
        assert binder_links(site / "notebooks" / f"{name}.html") == [f"{binder}.ipynb"]
    assert not binder_links(site / "README.html")  # launch buttons are for notebooks


# In the browser.

# Once READY (scripts/book_screenshot.py) resolves: what a reader would see wrong on the page.
INSPECT = """(() => {
    const skip = "pre, code, script, style, textarea, mjx-container, .cell_output";
    const raw = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode()); ) {
        if (node.parentElement.closest(skip)) continue;
        if (/\\$[^$]+\\$|\\\\\\(|\\\\\\[|\\\\begin\\{/.test(node.textContent)) {
            raw.push(node.textContent.trim().slice(0, 80));
        }
    }
    const math = [...document.querySelectorAll(".math")];
    return {
        url: location.href,
        math: math.length,
        untypeset: math.filter((m) => !m.querySelector("mjx-container")).length,
        errors: document.querySelectorAll("mjx-merror").length,
        raw: raw.slice(0, 5),
        images: [...document.images].map((img) => [img.getAttribute("src"), img.naturalWidth]),
        next: document.querySelector("a.right-next")?.href ?? null,
    };
})()"""


@pytest.fixture(scope="module")
def browser():
    if BOOK.chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): no browser checks")
    with BOOK.Browser() as chromium:
        yield chromium


@contextlib.contextmanager
def served(site):
    """The site on a local HTTP server (127.0.0.1, a free port), as a classroom might serve it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def walk(browser, home):
    """Open the home page and follow the next buttons to the last page; return what each showed."""
    for log in (browser.requests, browser.failed, browser.errors):
        log.clear()
    browser.open(home)
    seen = []
    while True:
        browser.evaluate(BOOK.READY)
        seen.append(browser.evaluate(INSPECT))
        if seen[-1]["next"] is None or len(seen) > len(ORDER):
            return seen
        browser.click("a.right-next")


def check_walk(browser, seen, base, allowed):
    expected = [f"{base}/{page}.html" for page in ORDER]
    assert [page["url"] for page in seen] == expected, "the next buttons did not walk the series"
    problems = []
    for page in seen:
        name = page["url"].removeprefix(base)
        if page["untypeset"] or page["errors"] or page["raw"]:
            problems.append(f"{name}: equations not typeset: {json.dumps(page)}")
        problems += [f"{name}: figure {src} did not load" for src, w in page["images"] if w <= 0]
    for page in seen[1 : 1 + len(NOTEBOOKS)]:
        assert page["math"] > 0 and page["images"], f"{page['url']}: no equations or no figure"
    leaving = [url for url in browser.requests if not url.startswith(allowed)]
    problems += [f"a request left the machine: {url}" for url in leaving]
    problems += [f"failed to load: {url} ({error})" for url, error in browser.failed]
    problems += [f"script error: {error}" for error in browser.errors]
    assert not problems, "\n".join(problems)


def test_chromium_reads_the_book_from_disk_with_no_network(site, browser):
    base = site.resolve().as_uri()
    seen = walk(browser, f"{base}/index.html")
    check_walk(browser, seen, base, allowed=(f"{base}/", "data:"))


def test_chromium_reads_the_book_from_a_local_server(site, browser):
    with served(site) as base:
        seen = walk(browser, f"{base}/index.html")
        check_walk(browser, seen, base, allowed=(f"{base}/", "data:"))


def test_chromium_finds_a_notebook_with_the_search(site, browser):
    browser.failed.clear()
    browser.errors.clear()
    browser.open(f"{site.resolve().as_uri()}/search.html?q=autodiff")
    browser.evaluate(BOOK.READY)
    found = browser.evaluate(
        """new Promise((done) => { const look = () => {
            const links = [...document.querySelectorAll("#search-results li a")];
            if (links.length) { done(links.map((a) => a.href)); } else { setTimeout(look, 100); }
        }; look(); })""",
        timeout=30,
    )
    assert any("notebooks/02-" in url for url in found), found
    assert not browser.failed and not browser.errors, (browser.failed, browser.errors)


def test_chromium_screenshot_of_a_notebook_page(site, browser, tmp_path):
    browser.open((site / "notebooks" / f"{NOTEBOOKS[0]}.html").resolve().as_uri())
    BOOK.show_first_figure(browser)
    out = tmp_path / "book.png"
    browser.screenshot(out)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 50_000, "a blank page compresses to a few kB"
