"""`inquiry serve` runs the real thing: gunicorn on loopback, refusing to start without a secret."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def inquiry(*args, env):
    return [sys.executable, "-c", "from inquiry.cli import main; main()", *args]


def test_serve_starts_gunicorn_and_answers_health(database_url, tmp_path, trained_instance):
    import shutil

    shutil.copytree(f"{trained_instance}/models", tmp_path / "models")
    port = free_port()
    env = {**os.environ, "INQUIRY_SECRET_KEY": "s" * 32, "INQUIRY_DATABASE_URL": database_url,
           "INQUIRY_INSTANCE_PATH": str(tmp_path)}
    process = subprocess.Popen(inquiry("serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", env=env), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, body = time.monotonic() + 120, None  # a loaded machine starts slowly
        while time.monotonic() < deadline and body is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            except OSError:
                time.sleep(0.3)
        assert body is not None, process.stderr.read1().decode() if process.poll() is not None else "no answer"
        assert b'"status":"ok"' in body
        contact = urllib.request.urlopen(f"http://127.0.0.1:{port}/contact", timeout=5)
        cookie = contact.headers["Set-Cookie"]  # the form's CSRF token lives in the session
        assert contact.status == 200 and "Secure" in cookie and "HttpOnly" in cookie
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRY_")}
    env["INQUIRY_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(inquiry("serve", env=env), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "INQUIRY_SECRET_KEY is not set" in result.stderr + result.stdout
