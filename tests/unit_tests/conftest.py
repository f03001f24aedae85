import pytest
from pytest_socket import disable_socket


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup() -> None:
    # Unit tests never touch the network; asyncio's self-pipe needs unix sockets.
    disable_socket(allow_unix_socket=True)
