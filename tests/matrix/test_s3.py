"""Presigned PUT URLs against an S3-compatible server (moto in server mode): each file to its own
URL, presigned with SigV4 by botocore for the file's relative name as the object key, sent as a
raw PUT with an exact Content-Length (S3 refuses chunked bodies). The objects read back with
boto3 have the keys and the bytes of the tree, and every URL reached the server exactly as it was
signed (a re-encoded path or query would break the signature on a real S3)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import pytest

import core
from tests.matrix.harness import assert_completed, record, tree_files, upload
from tests.matrix.servers import MotoS3
from tests.matrix.tree import Tree

BUCKET = "skylift-matrix"


def s3_client(server: MotoS3) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.base,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        # Without s3v4 botocore presigns SigV2-style for a custom endpoint.
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def object_sha256(s3: Any, key: str) -> str:
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"]
    digest = hashlib.sha256()
    while block := body.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


@pytest.mark.asyncio
async def test_presigned_puts(moto_s3: MotoS3, manager: core.SessionManager, tree: Tree) -> None:
    s3 = s3_client(moto_s3)
    s3.create_bucket(Bucket=BUCKET)
    files = tree_files(tree)
    urls = [
        s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": name}, ExpiresIn=600)
        for _, name in files
    ]
    destinations = [core.Destination(url=url, protocol=core.WireProtocol.RAW) for url in urls]
    tasks = await upload(manager, files, destinations, identifier="s3")
    assert_completed(tasks)

    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert {item["Key"]: item["Size"] for item in listed} == {
        name: path.stat().st_size for path, name in files
    }
    assert {item["Key"]: object_sha256(s3, item["Key"]) for item in listed} == tree.expected
    # The request targets as the server got them are the signed ones, byte for byte.
    signed = sorted(f"{urlsplit(url).path}?{urlsplit(url).query}" for url in urls)
    object_puts = [target for target in moto_s3.request_targets("PUT") if target.startswith(f"/{BUCKET}/")]
    assert sorted(object_puts) == signed
    record(
        "moto S3 (presigned PUT, SigV4)",
        "raw PUT",
        "one URL per file",
        content="byte-exact",
        names="keys intact (folders are key prefixes); URLs arrive as signed",
    )
