"""Open the built book (`make book`) in headless Chromium and screenshot a page at its first figure.

    python scripts/book_screenshot.py [--page notebooks/01-...html] [--out docs/book.png]

Needs Debian's Chromium (`apt-get install chromium`). Chromium is driven over the DevTools
protocol through a pipe (no port is opened), so a page can be inspected as a reader's browser
sees it: tests/test_book.py uses `Browser` to check every request, equation, figure and link.
"""

import argparse
import base64
import json
import os
import pathlib
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from lab_screenshot import CHROMIUM_FLAGS, ROOT, chromium

# No name resolves, so nothing can leave the machine even if a page asked; the test sees the
# attempt all the same, in the requests the page makes.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


class Browser:
    """Headless Chromium with one tab, driven over the DevTools protocol on fds 3 and 4.

    Every request the tab makes, every failed load and every uncaught script error is kept
    in ``requests``, ``failed`` and ``errors``.
    """

    def __init__(self, size=(1400, 900)):
        self._profile = tempfile.TemporaryDirectory()
        to_chromium, self._send = os.pipe()
        self._receive, from_chromium = os.pipe()
        # Chromium reads the protocol on fd 3 and writes on fd 4; bash puts the pipe's ends
        # there (a preexec_fn could, but runs Python in a forked child of a threaded process).
        self._process = subprocess.Popen(
            [
                "bash", "-c", 'exec "$@" 3<&"$CDP_IN" 4>&"$CDP_OUT"', "chromium",
                chromium(), *CHROMIUM_FLAGS, OFFLINE, "--remote-debugging-pipe",
                f"--user-data-dir={self._profile.name}", f"--window-size={size[0]},{size[1]}",
                "about:blank",
            ],
            env={**os.environ, "CDP_IN": str(to_chromium), "CDP_OUT": str(from_chromium)},
            pass_fds=(to_chromium, from_chromium),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_chromium)
        os.close(from_chromium)
        self._buffer, self._next_id, self._events = b"", 0, []
        self.requests, self.failed, self.errors = [], [], []
        self._urls = {}
        try:
            target = self._call("Target.createTarget", url="about:blank")["targetId"]
            attached = self._call("Target.attachToTarget", targetId=target, flatten=True)
            self._session = attached["sessionId"]
            for domain in ("Page", "Network", "Runtime"):
                self.call(f"{domain}.enable")
            self.call(
                "Emulation.setDeviceMetricsOverride",
                width=size[0], height=size[1], deviceScaleFactor=1, mobile=False,
            )  # fmt: skip
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self._call("Browser.close", timeout=10)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._send)
        os.close(self._receive)
        self._profile.cleanup()

    # The protocol: JSON messages, each ended by a NUL byte.
    def _message(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._record(message)
        return message

    def _record(self, event):
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
            self._urls[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            self.failed.append((self._urls.get(params["requestId"]), params.get("errorText")))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description", details["text"]))
        self._events.append(event)

    def _call(self, method, session=None, timeout=60, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def call(self, method, timeout=60, **params):
        """Send a command to the tab; return its result."""
        return self._call(method, session=self._session, timeout=timeout, **params)

    def wait_for(self, method, timeout=60):
        """Wait for the tab's next event ``method`` (events before this call do not count)."""
        self._events.clear()
        deadline = time.monotonic() + timeout
        while True:
            for event in self._events:
                if event["method"] == method and event.get("sessionId") == self._session:
                    return event
            self._events.clear()
            self._message(deadline)

    def open(self, url, timeout=60):
        """Load ``url`` and wait for its load event."""
        self._events.clear()
        self.call("Page.navigate", url=url)
        return self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression, timeout=60):
        """The value of a JavaScript expression in the page, awaited if it is a promise."""
        result = self.call(
            "Runtime.evaluate", timeout=timeout, expression=expression,
            awaitPromise=True, returnByValue=True,
        )  # fmt: skip
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector, timeout=60):
        """Click the first element matching ``selector`` and wait for the page it opens."""
        self._events.clear()
        self.call(
            "Runtime.evaluate", expression=f"document.querySelector({json.dumps(selector)}).click()"
        )
        return self.wait_for("Page.loadEventFired", timeout)

    def screenshot(self, out):
        """Save a PNG of the viewport."""
        data = self.call("Page.captureScreenshot", format="png")["data"]
        pathlib.Path(out).write_bytes(base64.b64decode(data))


# Ready once MathJax has typeset the page and every image has loaded or failed.
READY = """(async () => {
    if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
    await document.fonts.ready;
    await Promise.all([...document.images].map((img) => img.complete ? null
        : new Promise((done) => { img.onload = img.onerror = done; })));
    return true;
})()"""


def show_first_figure(browser):
    """Scroll the page's first output figure to the top, with the text that follows it below."""
    browser.evaluate(READY)
    browser.evaluate(
        "(() => { const img = document.querySelector('.cell_output img');"
        " window.scrollTo(0, img.getBoundingClientRect().top + window.scrollY - 90); })()"
    )
    time.sleep(0.5)  # let the page settle after the jump


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=pathlib.Path, default=ROOT / "_build" / "html")
    parser.add_argument("--page", default="notebooks/01-cross-entropy-to-focal-loss.html")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "book.png")
    args = parser.parse_args()
    if chromium() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    page = (args.site / args.page).resolve()
    if not page.exists():
        sys.exit(f"{page} does not exist: run `make book` first")
    with Browser() as browser:
        browser.open(page.as_uri())
        show_first_figure(browser)
        browser.screenshot(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
