"""Through an HTTP proxy (Debian's tinyproxy), as ``skylift-cli`` runs behind one: ``HTTP_PROXY``
for plain http (the proxy sees and forwards every request: the MKCOLs and PUTs of a tree into
nginx's dav module), ``HTTPS_PROXY`` for https (the proxy only tunnels: one ``CONNECT`` per
connection to a TLS server whose certificate comes from a test CA, trusted with ``--ca-file``).
Each ends with the server holding the tree's bytes under its names, and the proxy's log showing
that the traffic went through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from tests.matrix.harness import cli_upload, record
from tests.matrix.servers import NginxDav, Tinyproxy
from tests.matrix.tree import Tree, stored_files
from tests.servers import ReceiverServer


def quoted(name: str) -> str:
    return "/".join(quote(part, safe="") for part in name.split("/"))


def test_plain_http_through_the_proxy(
    tinyproxy: Callable[..., Tinyproxy], nginx_dav: NginxDav, tree: Tree, tmp_path: Path
) -> None:
    proxy = tinyproxy()
    cli_upload(nginx_dav.upload_url, tree, tmp_path / "state", env={"HTTP_PROXY": proxy.url})
    assert stored_files(nginx_dav.storage) == tree.expected
    # The proxy forwarded each request, absolute-form, with the names percent-encoded as sent.
    seen = [line.removesuffix(" HTTP/1.1") for line in proxy.requests() if nginx_dav.upload_url in line]
    puts = sorted(line for line in seen if line.startswith("PUT "))
    assert puts == sorted(f"PUT {nginx_dav.upload_url}{quoted(name)}" for name in tree.expected)
    assert len([line for line in seen if line.startswith("MKCOL ")]) == 3, seen
    # And nginx got them from the proxy, not straight from Skylift: same count in its access log.
    assert nginx_dav.access_log.read_text().count('"PUT /up/') == len(tree.expected)
    record(
        "tinyproxy (HTTP_PROXY) -> nginx dav",
        "raw PUT",
        "plain http, skylift-cli",
        content="byte-exact (64 MiB included)",
        names="intact; MKCOL and PUT forwarded",
    )


def test_https_through_a_connect_tunnel(
    tinyproxy: Callable[..., Tinyproxy],
    tls_receiver: ReceiverServer,
    ca_file: Path,
    tree: Tree,
    tmp_path: Path,
) -> None:
    proxy = tinyproxy(connect_ports=(tls_receiver.port,))
    url = f"{tls_receiver.url}/tree/"
    cli_upload(url, tree, tmp_path / "state", "--ca-file", str(ca_file), env={"HTTPS_PROXY": proxy.url})
    received = {item.path: item.sha256 for item in tls_receiver.received}
    assert received == {f"/tree/{name}": digest for name, digest in tree.expected.items()}
    assert tls_receiver.collections == [
        "/tree/Awkward tree/",
        "/tree/Awkward tree/sub folder/",
        "/tree/Awkward tree/sub folder/Ünïcode 目录/",
    ]
    # The proxy saw only tunnels to the server, never a request inside them.
    requests = proxy.requests()
    tunnels = [line for line in requests if line.startswith("CONNECT ")]
    assert tunnels and all(line.startswith(f"CONNECT localhost:{tls_receiver.port} ") for line in tunnels), (
        requests
    )
    assert not [line for line in requests if line.startswith(("PUT ", "MKCOL "))], requests
    record(
        "tinyproxy (HTTPS_PROXY, CONNECT) -> TLS receiver",
        "raw PUT",
        "https, --ca-file, skylift-cli",
        content="byte-exact (64 MiB included)",
        names=f"intact; {len(tunnels)} CONNECT tunnel(s)",
    )
