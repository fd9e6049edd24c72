"""The test servers' command lines, read by Rasa's own argument parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser

from tests.e2e.servers import Bot


@pytest.mark.parametrize("token", ["-Xy3_abc", "--weird", "plain-token"])
def test_any_generated_token_reaches_rasa_intact(token: str, tmp_path: Path) -> None:
    # secrets.token_urlsafe() starts with "-" one time in 64; as a separate
    # argument Rasa's parser then stopped with "expected one argument" (exit 2).
    args = create_argument_parser().parse_args(Bot(workdir=tmp_path, token=token).rasa_args())
    assert args.auth_token == token
