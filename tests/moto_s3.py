"""moto's S3 server on a free loopback port, for the tests of private files in a bucket
(``test_s3_storage``, ``test_backup_restore_s3``): the application talks to it over HTTP
with boto3, as it would to MinIO or a cloud's object store."""

import logging
import socket
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    # The emulator logs every request it serves.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
