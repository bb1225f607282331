"""Start JupyterLab headless and take a Chromium screenshot of a notebook open in it.

    python scripts/lab_screenshot.py [--notebook notebooks/01-...ipynb] [--out docs/jupyterlab.png]

Needs Debian's Chromium (`apt-get install chromium`). tests/test_jupyterlab.py uses the same
functions to check that the server serves and renders every notebook.
"""

import argparse
import contextlib
import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, timeout=30):
    """GET a URL; return (status, body as text)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8")


@contextlib.contextmanager
def running_lab(startup_seconds=90):
    """Yield (base_url, token) of a JupyterLab server on a free local port, then stop it."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log, tempfile.TemporaryDirectory() as settings:
        # Answer JupyterLab's "get notified about news?" pop-up, so it stays out of screenshots.
        news = pathlib.Path(settings, "@jupyterlab", "apputils-extension")
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": settings}
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                try:
                    status, body = get(f"{base}/api/status?token={token}", timeout=5)
                    if status == 200 and "started" in json.loads(body):
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read().decode()}")
                time.sleep(0.5)
            yield base, token
        finally:
            server.terminate()
            server.wait(timeout=30)


def chromium():
    """Path of Debian's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(url, out, size=(1400, 900), budget_ms=30000):
    """Save a PNG of the page at ``url`` once its scripts have had ``budget_ms`` to run."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}", f"--virtual-time-budget={budget_ms}",
                f"--screenshot={out}", url,
            ],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="notebooks/01-cross-entropy-to-focal-loss.ipynb")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "jupyterlab.png")
    args = parser.parse_args()
    if chromium() is None:
        sys.exit("Chromium is not installed: apt-get install chromium")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with running_lab() as (base, token):
        screenshot(f"{base}/lab/tree/{args.notebook}?token={token}", args.out.resolve())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
