"""The matrix's independent servers, each started from its registry package in its own process on
127.0.0.1 (a free port, a private folder, in the foreground under our own PID), checked ready, and
stopped (its whole process group) afterwards. ``/work/shared/recipes/peers.md`` has the lore.

Each server knows where its files land (``storage``) so the tests read the server's side directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.interop.peers import free_port

__all__ = [
    "APPS",
    "NODE_DIR",
    "ApacheDav",
    "FrameworkServer",
    "MotoS3",
    "NginxDav",
    "RcloneDav",
    "Server",
    "Tinyproxy",
    "WsgiDav",
    "install_node_peers",
    "probe",
]

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
NODE_DIR = HERE / "node"
_NODE_PACKAGES = ("express", "multer", "busboy")


def probe(method: str, url: str, **options: object) -> httpx.Response:
    """One request straight to a loopback server (never through a proxy from the environment)."""
    return httpx.request(method, url, timeout=2, trust_env=False, **options)  # type: ignore[arg-type]


def install_node_peers(npm: str) -> None:
    """``npm ci`` into tests/matrix/node (from its package-lock.json) unless it is there already."""
    if all((NODE_DIR / "node_modules" / name).is_dir() for name in _NODE_PACKAGES):
        return
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm ci in {NODE_DIR} failed:\n{result.stdout}\n{result.stderr}")


class Server:
    """One server process. Subclasses say how to configure it (``prepare``), what to run
    (``command``) and when it answers (``ready``)."""

    name = "server"

    def __init__(self, workdir: Path) -> None:
        # What the matrix calls it ("nginx create_full_put_path"); the fixtures may set it.
        self.label = self.name
        self.workdir = workdir
        self.port = free_port()
        self.storage = workdir / "storage"
        self.log = workdir / f"{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def upload_url(self) -> str:
        """Where the tests send files (a folder URL for the WebDAV servers)."""
        return f"{self.base}/"

    def prepare(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.storage.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        # Never through a proxy the machine may have configured: these are all on loopback.
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        return env

    def ready(self) -> bool:
        """One probe; True once the server answers as it should."""
        try:
            answer = probe("OPTIONS", self.base + "/")
        except httpx.TransportError:
            return False
        return answer.status_code < 500

    def start(self, timeout: float = 60.0) -> None:
        self.prepare()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.workdir,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own process group: stop() ends the server and every child it started.
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None:
                problem = f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}"
                self.stop()
                raise RuntimeError(problem)
            if time.monotonic() > deadline:
                problem = f"{self.name} did not answer within {timeout} s:\n{self.log_text()}"
                self.stop()
                raise RuntimeError(problem)
            time.sleep(0.05)

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        # Children that outlived their parent (Apache's workers) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-8000:]
        except FileNotFoundError:
            return ""


# -- WebDAV -----------------------------------------------------------------------------------------


class NginxDav(Server):
    """Debian's nginx-light, its dav module on ``/up/`` (``alias`` of the storage folder), with or
    without ``create_full_put_path``. MKCOL is among ``dav_methods`` either way: that is how a
    WebDAV client makes folders on a server that does not make them at the PUT."""

    name = "nginx"

    def __init__(self, workdir: Path, nginx: str, *, create_full_put_path: bool, mkcol: bool = True) -> None:
        super().__init__(workdir)
        self.nginx = nginx
        self.create_full_put_path = create_full_put_path
        # peers.md's own recipe has "dav_methods PUT DELETE;": a server that cannot make folders.
        self.mkcol = mkcol
        self.access_log = workdir / "access.log"

    @property
    def upload_url(self) -> str:
        return f"{self.base}/up/"

    def prepare(self) -> None:
        super().prepare()
        temp = self.workdir / "temp"  # same file system as storage: the PUT is a rename
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (temp / name).mkdir(parents=True, exist_ok=True)
        # As root, workers are nobody and cannot rename into a root-owned folder (500).
        user = "user root;" if os.geteuid() == 0 else ""
        config = f"""
daemon off;
{user}
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {self.access_log};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{self.port};
        location = /ping {{ return 204; }}
        location /up/ {{
            alias {self.storage}/;
            dav_methods {"PUT DELETE MKCOL COPY MOVE" if self.mkcol else "PUT DELETE"};
            create_full_put_path {"on" if self.create_full_put_path else "off"};
            dav_access user:rw group:r all:r;
        }}
    }}
}}
"""
        (self.workdir / "nginx.conf").write_text(config)

    def command(self) -> list[str]:
        return [
            self.nginx,
            "-p",
            str(self.workdir),
            "-c",
            str(self.workdir / "nginx.conf"),
            "-e",
            str(self.workdir / "error.log"),
        ]

    def ready(self) -> bool:
        try:
            return probe("GET", f"{self.base}/ping").status_code == 204
        except httpx.TransportError:
            return False


class ApacheDav(Server):
    """Debian's apache2 with mod_dav + mod_dav_fs on ``/dav/``, from a configuration of our own
    (``apache2 -f CONF -DFOREGROUND``). Its children run as www-data, which cannot enter pytest's
    private temporary folders: this server lives in a folder of its own under the system's temp."""

    name = "apache"

    def __init__(self, workdir: Path, apache: str) -> None:
        # workdir is only where the log link goes; the real folder is world-traversable.
        self.private = Path(tempfile.mkdtemp(prefix="skylift-apache-"))
        super().__init__(self.private)
        self.apache = apache
        self.access_log = self.private / "access.log"

    @property
    def upload_url(self) -> str:
        return f"{self.base}/dav/"

    def prepare(self) -> None:
        super().prepare()
        run = self.private / "run"
        lock = self.private / "lock"
        for folder in (run, lock):
            folder.mkdir(exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            account = pwd.getpwnam("www-data")
            for path in (self.private, self.storage, lock):
                os.chown(path, account.pw_uid, account.pw_gid)
            user = "User www-data\nGroup www-data"
        modules = "/usr/lib/apache2/modules"
        config = f"""
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile {run}/apache2.pid
DefaultRuntimeDir {run}
Mutex file:{run} default
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule dav_module {modules}/mod_dav.so
LoadModule dav_fs_module {modules}/mod_dav_fs.so
{user}
ErrorLog {self.private}/error.log
LogLevel warn
LogFormat "%r %>s" request
CustomLog {self.access_log} request
DAVLockDB {lock}/DAVLock
LimitRequestBody 0
StartServers 1
Alias /dav/ {self.storage}/
<Directory />
    Require all denied
</Directory>
<Directory {self.storage}/>
    Dav On
    Require all granted
</Directory>
"""
        (self.private / "apache2.conf").write_text(config)

    def command(self) -> list[str]:
        return [self.apache, "-f", str(self.private / "apache2.conf"), "-DFOREGROUND"]

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.pop("APACHE_CONFDIR", None)
        return env

    def ready(self) -> bool:
        try:
            answer = probe("OPTIONS", self.upload_url)
        except httpx.TransportError:
            return False
        return answer.status_code == 200 and "1" in answer.headers.get("dav", "")

    def log_text(self) -> str:
        error = self.private / "error.log"
        return super().log_text() + (error.read_text(errors="replace")[-4000:] if error.exists() else "")

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.private, ignore_errors=True)


class RcloneDav(Server):
    """``rclone serve webdav`` (Debian's rclone) on a local folder, with a config file that does
    not exist and a cache folder of its own, so it leaves ``$HOME`` alone."""

    name = "rclone"

    def __init__(self, workdir: Path, rclone: str) -> None:
        super().__init__(workdir)
        self.rclone = rclone

    def command(self) -> list[str]:
        return [
            self.rclone,
            "serve",
            "webdav",
            str(self.storage),
            "--addr",
            f"127.0.0.1:{self.port}",
            "--config",
            str(self.workdir / "no-such-rclone.conf"),
            "--cache-dir",
            str(self.workdir / "cache"),
            "--log-level",
            "INFO",
        ]


class WsgiDav(Server):
    """wsgidav (PyPI) on cheroot, anonymous, serving the storage folder at ``/``."""

    name = "wsgidav"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "wsgidav.server.server_cli",
            "--no-config",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--root",
            str(self.storage),
            "--auth",
            "anonymous",
            "--server",
            "cheroot",
        ]


# -- S3 ---------------------------------------------------------------------------------------------


class MotoS3(Server):
    """moto's S3 (PyPI ``moto[server]``) in server mode (``apps/moto_app.py``: moto's own app and
    handler, plus a log of the raw request targets). Objects live in its memory: the tests read
    them back with boto3. moto checks no signature here (its checks, when switched on, read only
    the ``Authorization`` header, never a presigned URL's query), so the tests compare the request
    targets it got with the URLs botocore signed instead."""

    name = "moto"

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.targets = workdir / "request-targets.log"

    def command(self) -> list[str]:
        return [sys.executable, str(APPS / "moto_app.py"), str(self.port), str(self.targets)]

    def request_targets(self, method: str) -> list[str]:
        """The raw request targets (path and query, as sent) of ``method`` requests."""
        lines = self.targets.read_text(encoding="latin1").splitlines() if self.targets.exists() else []
        return [line.split(" ", 1)[1] for line in lines if line.startswith(method + " ")]

    def ready(self) -> bool:
        try:
            return probe("GET", f"{self.base}/").status_code < 500
        except httpx.TransportError:
            return False


# -- multipart frameworks and aiohttp-tus (apps of our own, see apps/) -----------------------------


class FrameworkServer(Server):
    """A tiny app of ours on a framework (``apps/<script>``): ``POST /upload`` stores the file at
    ``storage/<name>`` — the ``relativePath`` form field if one came before the file, else the
    file name as the framework gives it — and answers JSON: the name the framework saw, the form
    fields it saw, where it stored the file, its size and sha256. ``GET /ping`` answers 204."""

    def __init__(self, workdir: Path, name: str, command: Callable[[int, Path], list[str]]) -> None:
        self.name = name
        super().__init__(workdir)
        self._command = command

    @property
    def upload_url(self) -> str:
        return f"{self.base}/upload"

    def command(self) -> list[str]:
        return self._command(self.port, self.storage)

    def ready(self) -> bool:
        try:
            return probe("GET", f"{self.base}/ping").status_code == 204
        except httpx.TransportError:
            return False

    @staticmethod
    def seen(response_text: str | None) -> dict[str, object]:
        """The app's JSON answer, as Skylift kept it."""
        assert response_text, "the app answered nothing"
        answer = json.loads(response_text)
        assert isinstance(answer, dict), answer
        return answer


# -- proxy ------------------------------------------------------------------------------------------


class Tinyproxy(Server):
    """Debian's tinyproxy in the foreground (``-d``) with a config of its own: loopback only,
    CONNECT allowed to ``connect_ports``, every request logged (``LogLevel Info``)."""

    name = "tinyproxy"

    def __init__(self, workdir: Path, tinyproxy: str, *, connect_ports: tuple[int, ...] = ()) -> None:
        super().__init__(workdir)
        self.tinyproxy = tinyproxy
        self.connect_ports = connect_ports
        self.proxy_log = workdir / "tinyproxy-requests.log"

    @property
    def url(self) -> str:
        return self.base

    def prepare(self) -> None:
        super().prepare()
        lines = [
            f"Port {self.port}",
            "Listen 127.0.0.1",
            "Timeout 120",
            "Allow 127.0.0.1",
            f'LogFile "{self.proxy_log}"',
            "LogLevel Info",
            "MaxClients 20",
            "DisableViaHeader Yes",
        ]
        lines += [f"ConnectPort {port}" for port in self.connect_ports]
        (self.workdir / "tinyproxy.conf").write_text("\n".join(lines) + "\n")

    def command(self) -> list[str]:
        return [self.tinyproxy, "-d", "-c", str(self.workdir / "tinyproxy.conf")]

    def ready(self) -> bool:
        # A proxy request for a port where nothing listens: tinyproxy itself answers (an error page).
        try:
            with httpx.Client(proxy=self.url, timeout=2) as client:
                return client.get(f"http://127.0.0.1:{free_port()}/").status_code >= 400
        except httpx.TransportError:
            return False

    def requests(self) -> list[str]:
        """The request lines tinyproxy logged (``GET http://…``, ``CONNECT host:port``)."""
        text = self.proxy_log.read_text(errors="replace") if self.proxy_log.exists() else ""
        found = []
        for line in text.splitlines():
            marker = "Request (file descriptor"
            if marker in line:
                found.append(line.split("): ", 1)[-1].strip())
        return found
