"""README.md documents every error reason, failure code and setting that the code has."""

from dataclasses import fields
from pathlib import Path

from omnirelay.config import Settings, env_name
from omnirelay.domain.errors import FailureCode, Reason

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_every_reason_and_failure_code_is_documented() -> None:
    missing = [r.name for r in (*Reason, *FailureCode) if f"`{r.name}`" not in README]
    assert not missing


def test_every_setting_is_documented() -> None:
    missing = [f.name for f in fields(Settings) if f"`{env_name(f.name)}`" not in README]
    assert not missing
