"""A private CUPS scheduler for the tests: its own config and spool in a temporary directory,
listening on 127.0.0.1 only, with raw queues in front of fake network printers.

Skipped when cupsd is not installed, unless ``CI=true``: then it fails, so CI cannot pass
without having run the CUPS tests. ``CUPS_SERVER`` points lp/lpstat/cancel at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.conftest import free_port

from .fake_serial import need
from .helpers import stop_process

CUPSD_CONF = """\
Listen 127.0.0.1:{port}
LogLevel warn
Browsing No
DefaultAuthType None
WebInterface No
MaxJobs 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/spool/tmp
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
User lp
Group lp
SystemGroup root lpadmin
FileDevice Yes
Sandboxing Relaxed
"""


class CupsServer:
    def __init__(self, root: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.root, self.port, self.process = root, port, process
        self.address = f"127.0.0.1:{port}"

    def run(self, *args: str) -> str:
        env = {**os.environ, "CUPS_SERVER": self.address, "LC_ALL": "C"}
        result = subprocess.run(args, capture_output=True, env=env, timeout=30, check=False)
        if result.returncode != 0:
            raise AssertionError(f"{args}: {result.stderr.decode(errors='replace')}")
        return result.stdout.decode(errors="replace")

    def add_queue(self, name: str, device_uri: str) -> str:
        self.run("lpadmin", "-p", name, "-v", device_uri, "-E")
        return f"cups://{name}"

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def _give_up(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CUPS is required when CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    cupsd = shutil.which("cupsd") or shutil.which("/usr/sbin/cupsd")
    if cupsd is None:
        _give_up("cupsd is not installed")
        return
    for command in ("lp", "lpstat", "lpadmin", "cancel"):
        need(command)
    if os.geteuid() != 0:
        # Not a missing install but how the runner is set up: skipped, with CI=true as well.
        pytest.skip("a private cupsd needs root here (it runs its backends as user lp)")
    # Not under pytest's 0700 tmp dirs: cupsd's helpers run as user lp and must get in.
    root = Path(tempfile.mkdtemp(prefix="dnw-cups-"))
    root.chmod(0o755)
    for sub in ("spool", "spool/tmp", "cache", "state", "log", "ppd", "ssl"):
        (root / sub).mkdir(parents=True)
    port = free_port()
    (root / "cupsd.conf").write_text(CUPSD_CONF.format(port=port))
    (root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    process = subprocess.Popen(
        [str(cupsd), "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = CupsServer(root, port, process)
    try:
        give_up = time.monotonic() + 15
        while time.monotonic() < give_up and process.poll() is None:
            try:
                if "scheduler is running" in server.run("lpstat", "-r"):
                    break
            except AssertionError:
                pass
            time.sleep(0.1)
        else:
            _give_up(f"the private cupsd did not start: {server.log()}")
        yield server
    finally:
        stop_process(process)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cups(cups_server: CupsServer, monkeypatch: pytest.MonkeyPatch) -> CupsServer:
    monkeypatch.setenv("CUPS_SERVER", cups_server.address)
    return cups_server
