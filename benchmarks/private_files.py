"""Private files on a local folder and on an S3-compatible bucket, side by side (not a test).

    .venv/bin/python benchmarks/private_files.py [--sizes 100 1000 10000] [--repeat 7]
    .venv/bin/python benchmarks/private_files.py --endpoint http://127.0.0.1:9000 \\
        --bucket fjc-bench --access-key ... --secret-key ...      # a real MinIO or S3

Without ``--endpoint`` it starts moto's S3 server on a free loopback port (an emulator in
Python: its numbers are the application's side of the path plus an HTTP round trip, not
MinIO's or a cloud's speed). For each size (KB) it stores a file through Django's storage API
(``storage.save``, what an upload and a report run do) and reads it back whole
(``storage.open(...).read()``, what the download views stream), on a temporary folder
(``FileSystemStorage``) and on the bucket (django-storages' ``S3Storage`` with the options
``fjc.settings.private_storage`` builds), and prints the median, min and max of ``--repeat``
runs in milliseconds. Nothing touches the configured database or storage.
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import FileSystemStorage, Storage  # noqa: E402
from storages.backends.s3 import S3Storage  # noqa: E402

from fjc.settings import private_storage  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed(function: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(storage: Storage, size_kb: int, repeat: int) -> tuple[list[float], list[float]]:
    content = os.urandom(size_kb * 1024)
    names: list[str] = []

    def store() -> None:
        names.append(storage.save(f"bench/{uuid.uuid4().hex}.bin", ContentFile(content)))

    def read() -> None:
        with storage.open(names[-1], "rb") as handle:
            assert len(handle.read()) == len(content)

    stored = timed(store, repeat)
    read_back = timed(read, repeat)
    for name in names:
        storage.delete(name)
    return stored, read_back


def line(label: str, times: list[float]) -> str:
    return (
        f"{label:<22} median {statistics.median(times):8.1f} ms"
        f"   min {min(times):8.1f}   max {max(times):8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--endpoint", default="")
    parser.add_argument("--bucket", default="fjc-bench")
    parser.add_argument("--access-key", default="bench-access")
    parser.add_argument("--secret-key", default="bench-secret")
    parser.add_argument("--region", default="eu-west-1")
    arguments = parser.parse_args()

    server = None
    endpoint = arguments.endpoint
    if not endpoint:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
    os.environ.update(
        {
            "FJC_S3_ENDPOINT_URL": endpoint,
            "FJC_S3_REGION": arguments.region,
            "FJC_S3_ACCESS_KEY": arguments.access_key,
            "FJC_S3_SECRET_KEY": arguments.secret_key,
        }
    )
    bucket = S3Storage(**private_storage(arguments.bucket)["OPTIONS"])
    client = bucket.connection.meta.client
    try:
        client.head_bucket(Bucket=arguments.bucket)
    except Exception:
        client.create_bucket(
            Bucket=arguments.bucket,
            CreateBucketConfiguration={"LocationConstraint": arguments.region},
        )
    print(f"S3 endpoint: {endpoint}{' (moto)' if server else ''}; {arguments.repeat} runs each")
    try:
        with tempfile.TemporaryDirectory(prefix="fjc-bench-") as folder:
            local = FileSystemStorage(location=folder)
            for size in arguments.sizes:
                print(f"\n{size} KB")
                for label, storage in (("folder", local), ("bucket", bucket)):
                    stored, read_back = measure(storage, size, arguments.repeat)
                    print(line(f"{label} save", stored))
                    print(line(f"{label} read", read_back))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
