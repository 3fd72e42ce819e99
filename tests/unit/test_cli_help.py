"""`omnirelay serve --help` lists every setting (argparse formats each help text with %)."""

from dataclasses import fields

import pytest

from omnirelay.cli import main
from omnirelay.config import Settings


def test_serve_help_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert [f.name for f in fields(Settings) if "--" + f.name.replace("_", "-") not in shown] == []
