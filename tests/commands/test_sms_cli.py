"""``dnw-desk sms configure`` stores the gateway settings (never a secret); ``sms status``
counts the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnw_desk.cli import main
from dnw_desk.services.settings import load_settings
from dnw_desk.services.sms import gateway_for
from dnw_desk.sms.gateway import HttpGateway
from dnw_desk.store.schema import open_database
from tests.factories import desk_at


def test_configure_then_status(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk, _clock = desk_at(data_dir)
    desk.close()
    argv = ["--data-dir", str(data_dir), "sms", "configure", "--gateway", "http"]
    argv += ["--url", "https://sms.example.gov.cn/send", "--key-id", "K1"]
    argv += ["--template-ids", "registered=SMS_1,rating=SMS_4"]
    assert main(argv) == 0
    db = open_database(data_dir)
    settings = load_settings(db)
    db.close()
    assert (settings.sms_gateway, settings.sms_key_id) == ("http", "K1")
    gateway = gateway_for(settings, {"DNW_SMS_SECRET": "s3cret"})
    assert isinstance(gateway, HttpGateway) and gateway.config.secret == "s3cret"
    assert gateway.config.template_ids == {"registered": "SMS_1", "rating": "SMS_4"}
    gateway.close()
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "sms", "status"]) == 0
    assert capsys.readouterr().out.strip() == "empty"
