"""The udev rule shipped for Linux counters: well-formed, and it matches printer-class devices."""

from __future__ import annotations

import re

from dnw_desk.paths import resource_path

RULE = resource_path("udev", "70-dnw-desk-receipt-printers.rules")
PAIR = re.compile(r'^(?:[A-Z_]+(?:\{[A-Za-z_]+\})?)(?:==|!=|=|\+=|:=)"[^"]*"$')


def test_every_rule_line_is_key_operator_value() -> None:
    lines = [line for line in RULE.read_text().splitlines() if line and not line.startswith("#")]
    assert lines
    for line in lines:
        for pair in line.split(", "):
            assert PAIR.match(pair.strip()), f"malformed: {pair!r}"


def test_it_grants_access_to_usb_printer_class_devices() -> None:
    text = RULE.read_text()
    assert 'ENV{ID_USB_INTERFACES}=="*:0701*"' in text
    assert 'TAG+="uaccess"' in text and 'GROUP="lp"' in text
