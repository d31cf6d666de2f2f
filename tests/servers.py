"""A real server for the tests that need one: gunicorn (several worker processes and threads, not the
test client) on the test database — SQLite, or PostgreSQL when HUBAPP_TEST_DATABASE_URL names one.

The server runs in a session of its own, so that a test can stop it — or kill it, master and workers at
once, as a power cut would — without touching the test process.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 302 comes back as an ``HTTPError`` with its code instead of being followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    database_url: str,
    log,
    extra: dict | None = None,
    *,
    instance_path=None,
    workers: int = 4,
    threads: int = 8,
    preload: bool = False,
):
    """Start gunicorn on ``database_url`` and wait for ``/healthz``; returns ``(process, base_url)``.

    ``extra`` adds environment variables (``HUBAPP_*`` settings); ``instance_path`` gives the app an
    instance folder of its own (uploads kept between a preview and its commit live there). ``preload``
    creates the app once in the master before the workers are forked: the workers are ready at once
    instead of each importing the app in turn (seconds apiece on a busy machine)."""
    port = free_port()
    env = (
        os.environ
        | (extra or {})
        | {
            "HUBAPP_DATABASE_URL": database_url,
            "HUBAPP_SECRET_KEY": "concurrency-test-secret-key-0123456789abcdef",
            "HUBAPP_ARGON2_TIME_COST": "1",
            "HUBAPP_ARGON2_MEMORY_COST": "1024",
            "HUBAPP_ARGON2_PARALLELISM": "1",
        }
    )
    factory = "create_app()" if instance_path is None else f"create_app(instance_path={str(instance_path)!r})"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            *(["--preload"] if preload else []),
            f"hubapp:{factory}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: see kill_server
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return process, base
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    kill_server(process)
    log.seek(0)
    raise AssertionError(f"the server did not start: {log.read()}")


def stop_server(process) -> None:
    """A graceful stop (SIGTERM: workers finish their requests); a kill when that takes too long."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        kill_server(process)


def kill_server(process) -> None:
    """SIGKILL the master and every worker at the same instant, and wait until none of them runs.

    The workers are the master's children in its process group. Killed with it, they are left as
    zombies for whoever reaps orphans (not always done at once in a container), so "gone" is read from
    /proc: no process of the group in a state other than Z."""
    with contextlib.suppress(ProcessLookupError):  # already gone: killed before
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while _running_in_group(process.pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes of the group {process.pid} outlived SIGKILL")
        time.sleep(0.02)


def _running_in_group(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")"
        state, _ppid, group = text.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            return True
    return False


def token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Browser:
    """One user of a started server over HTTP, with a cookie jar as a browser keeps one."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self._follow = urllib.request.build_opener(cookies)
        self._stay = urllib.request.build_opener(cookies, NoRedirect)
        self._bare_follow = urllib.request.build_opener()
        self._bare_stay = urllib.request.build_opener(NoRedirect)

    def open(self, path: str, data: bytes | None = None, *, headers=None, follow=True, store_cookies=True, timeout=60):
        """``(status, url, text)``: the final URL when redirects are followed, else a redirect's Location.
        Connection errors (a server that is gone) are raised as they come: ``OSError``, ``HTTPException``.

        ``store_cookies=False`` sends the cookies as they are and keeps none of the answer's — for many
        requests in parallel, where each answer would otherwise replace the session (and its flashed
        messages would pile up in it)."""
        headers = dict(headers or {})
        if store_cookies:
            opener = self._follow if follow else self._stay
        else:
            opener = self._bare_follow if follow else self._bare_stay
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers.get("Location", ""), error.read().decode()

    def post(self, path: str, fields: dict, **options):
        return self.open(path, urllib.parse.urlencode(fields).encode(), **options)

    def post_file(self, path: str, fields: dict, name: str, filename: str, content: bytes, **options):
        """A multipart/form-data POST of ``fields`` and one file, as a browser sends an upload."""
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.open(path, b"".join(parts), headers=headers, **options)

    def login(self, username: str, password: str, *, lands_on: str = "/") -> None:
        """Log in through the form (with its CSRF token) and check that it ends on ``lands_on`` (the
        dashboard): anything else means refused (back at /login), or a second factor (/login/2fa,
        /account/2fa) or a new password asked for before the user may go on."""
        _status, _url, page = self.open("/login")
        status, url, text = self.post("/login", {"csrf_token": token(page), "username": username, "password": password})
        assert status == 200 and urllib.parse.urlsplit(url).path == lands_on, (
            f"the login of {username} ended at {url}: {text[:1500]}"
        )
