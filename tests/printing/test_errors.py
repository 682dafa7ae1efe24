"""Every library's error becomes one PrinterError a clerk can act on."""

from __future__ import annotations

import errno

import pytest
import serial
import usb.core
from escpos.exceptions import DeviceNotFoundError

from dnw_desk.printing.connection import Deadline, PrinterState
from dnw_desk.printing.errors import printer_error
from dnw_desk.printing.uri import parse_printer_uri

USB = parse_printer_uri("usb://0416:5011")
SERIAL = parse_printer_uri("serial:///dev/ttyUSB0")
NOT_FOUND, UNREACHABLE = PrinterState.NOT_FOUND, PrinterState.UNREACHABLE

# (the error, raised during the job?, the state, words one of which the message has: its
# Chinese or its English wording, whichever language the tests run in)
CASES = {
    "escpos not found": (
        DeviceNotFoundError("Unable to open"),
        False,
        NOT_FOUND,
        ("找不到", "No printer"),
    ),
    "permission": (
        PermissionError(errno.EACCES, "denied"),
        False,
        UNREACHABLE,
        ("权限", "permission"),
    ),
    "unplugged": (
        usb.core.USBError("gone", -4, errno.ENODEV),
        True,
        UNREACHABLE,
        ("拔出", "unplugged"),
    ),
    "usb timeout": (usb.core.USBTimeoutError("t", -7, 110), True, UNREACHABLE, ("3 秒", "3 s")),
    "no libusb": (usb.core.NoBackendError("No backend"), False, UNREACHABLE, ("libusb",)),
    "no pyusb": (ModuleNotFoundError("no usb", name="usb"), False, UNREACHABLE, ("usb",)),
    "no port": (
        serial.SerialException(errno.ENOENT, "no port"),
        False,
        NOT_FOUND,
        ("找不到", "No printer"),
    ),
    "anything else": (ValueError("odd"), True, UNREACHABLE, ("失败", "failed")),
}


@pytest.mark.parametrize("case", CASES)
def test_mapped_with_a_clear_message(case: str) -> None:
    exc, during_job, state, words = CASES[case]
    error = printer_error(exc, USB, Deadline(3), during_job=during_job)
    assert error.status is not None and error.status.state is state
    assert any(word in str(error) for word in words), str(error)


def test_a_serial_port_without_permission_points_to_the_readme() -> None:
    exc = serial.SerialException(errno.EACCES, "could not open port /dev/ttyUSB0")
    assert "README" in str(printer_error(exc, SERIAL, Deadline(3)))
