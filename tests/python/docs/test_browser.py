"""The built site checked the way a reader meets it: docs/_build/html served
on localhost, every internal link and image fetched over HTTP (anchors
included), every page within two clicks of the front page, and the front
page, the Quick Start and a How-To rendered by headless Chromium (Debian's
`chromium`), with screenshots kept in build/docs_screenshots/.
scripts/test.sh builds the docs before pytest; without a build (or without
chromium for the rendering tests) these tests skip and say why."""

import functools
import http.server
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest


pytestmark = pytest.mark.built_docs

ROOT = Path(__file__).resolve().parents[3]
HTML = ROOT / "docs" / "_build" / "html"
SHOTS = ROOT / "build" / "docs_screenshots"
# Folders of the build that hold sources, assets and viewcode listings, not pages.
NOT_PAGES = {"_static", "_sources", "_images", "_downloads", "_modules"}
# Generated helper pages, linked from the theme (or nowhere: sphinx-gallery's
# execution times) rather than from the text.
HELPER_PAGES = {"genindex.html", "search.html", "py-modindex.html", "sg_execution_times.html"}


class _Links(HTMLParser):
    """The links, image sources and anchor names of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"):
            self.images.append(a["href"])


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.skip("the docs are not built: run scripts/docs.sh (scripts/test.sh does)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@functools.lru_cache(maxsize=None)
def _fetch(url):
    """(status, parsed page or None) for a URL of the served site."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = r.read()
            kind = r.headers.get_content_type()
    except urllib.error.HTTPError as e:
        return e.code, None
    page = None
    if kind == "text/html":
        page = _Links()
        page.feed(body.decode("utf-8", "replace"))
    return 200, page


def _internal(base, url):
    """The absolute URL of an internal link, or None for an external one."""
    if urlparse(url).scheme in ("http", "https", "mailto", "data", "javascript", "tel"):
        return None
    return urljoin(base, url)


def _pages():
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not (set(p.relative_to(HTML).parts[:-1]) & NOT_PAGES)
    )


def test_every_internal_link_and_image_resolves(site):
    broken = []
    for rel in _pages():
        page_url = urljoin(site, rel)
        status, page = _fetch(page_url)
        assert status == 200 and page is not None, rel
        for link in page.links + page.images:
            target = _internal(page_url, link)
            if target is None:
                continue
            url, fragment = urldefrag(target)
            status, target_page = _fetch(url)
            if status != 200:
                broken.append(f"{rel}: {link} ({status})")
            elif fragment and target_page is not None and fragment not in target_page.ids:
                broken.append(f"{rel}: {link} (no anchor '{fragment}')")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:40])


def test_every_page_is_within_two_clicks_of_the_front_page(site):
    depth = {urljoin(site, "index.html"): 0}
    queue = deque(depth)
    while queue:
        url = queue.popleft()
        if depth[url] == 2:
            continue
        _, page = _fetch(url)
        for link in page.links if page else []:
            target = _internal(url, link)
            if target is None:
                continue
            target = urldefrag(target)[0]
            if target.endswith("/"):
                target += "index.html"
            if target.endswith(".html") and target not in depth:
                depth[target] = depth[url] + 1
                queue.append(target)
    far = [rel for rel in _pages() if Path(rel).name not in HELPER_PAGES and urljoin(site, rel) not in depth]
    assert not far, "pages more than two clicks from the front page:\n" + "\n".join(far)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip("no chromium: scripts/deps.sh installs Debian's chromium")


RENDERED = {
    "front_page": ("index.html", "Kiln"),
    "quick_start": ("_generated/get_started/quick_start.html", "Quick Start"),
    "how_to": ("_generated/how_to/optimize_gemm.html", "GEMM"),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_page_renders_in_headless_chromium(site, name):
    browser = _chromium()
    rel, heading = RENDERED[name]
    url = urljoin(site, rel)
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--hide-scrollbars", "--virtual-time-budget=5000"]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The DOM after scripts ran: the page's heading and the theme's navigation are there.
    assert "<h1" in dom.stdout and heading.lower() in dom.stdout.lower(), dom.stdout[:500]
    assert "sidebar" in dom.stdout
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    run = subprocess.run([browser, *flags, "--window-size=1280,1600", f"--screenshot={shot}", url],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (1600, 1280)
    # Not a blank page: text and the sidebar give the image contrast.
    assert pixels[..., :3].std() > 0.05
