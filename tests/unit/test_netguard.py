import socket

import pytest


def test_non_loopback_connections_are_refused() -> None:
    with pytest.raises(OSError, match="only loopback"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    with pytest.raises(OSError, match="only loopback"):
        socket.getaddrinfo("pypi.org", 443)
