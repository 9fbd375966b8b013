"""Tests may open connections to this machine only (pytest-socket, ``--allow-hosts`` in pyproject)."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_connection_beyond_loopback_is_refused_before_it_is_made() -> None:
    # 0.0.0.0 is not on the allowed list; were the guard missing, it would still only reach this machine
    with socket.socket() as sock, pytest.raises(SocketConnectBlockedError):
        sock.connect(("0.0.0.0", 9))  # noqa: S104
