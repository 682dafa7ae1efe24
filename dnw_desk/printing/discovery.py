"""The printers actually present, per transport, to pick from instead of typing a URI.

USB printer-class devices (pyusb), CUPS queues (``lpstat``), Windows printers (the spooler),
serial ports (pyserial) and USB line-printer device nodes. Plain functions with no Qt: the
settings dialog and the setup wizard run ``discover_printers`` off the GUI thread. A transport
whose library or service is missing finds nothing rather than failing the others.
"""

from __future__ import annotations

import glob
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from dnw_desk.printing.connection import Deadline
from dnw_desk.printing.uri import Transport

log = logging.getLogger(__name__)

DISCOVERY_DEADLINE = 5.0


@dataclass(frozen=True)
class FoundPrinter:
    transport: Transport
    uri: str
    label: str  # what the admin sees: the maker and model, the queue or port name


def discover_printers(
    platform: str = sys.platform, usb_backend: Any = None
) -> dict[Transport, list[FoundPrinter]]:
    """Every printer found, by transport (each list possibly empty)."""
    deadline = Deadline(DISCOVERY_DEADLINE)
    found: dict[Transport, list[FoundPrinter]] = {}
    finders: list[tuple[Transport, Callable[[], list[FoundPrinter]]]] = [
        (Transport.USB, lambda: usb_printers(usb_backend)),
        (Transport.CUPS, lambda: cups_printers(deadline)),
        (Transport.SERIAL, serial_printers),
        (Transport.FILE, device_nodes),
    ]
    if platform == "win32":
        finders.insert(0, (Transport.WIN32, windows_printers))
    for transport, finder in finders:
        try:
            found[transport] = finder()
        except Exception as exc:  # one transport's trouble must not hide the others
            log.info("printer discovery over %s failed: %s", transport.value, exc)
            found[transport] = []
    return found


def usb_printers(backend: Any = None) -> list[FoundPrinter]:
    """USB devices with a printer-class interface (class 7)."""
    try:
        import usb.core
        import usb.util
    except ImportError:
        return []
    from dnw_desk.printing import usb as usb_transport

    backend = backend or usb_transport.BACKEND

    def is_printer(device: Any) -> bool:
        if device.bDeviceClass == usb_transport.PRINTER_CLASS:
            return True
        return any(
            usb.util.find_descriptor(config, bInterfaceClass=usb_transport.PRINTER_CLASS)
            is not None
            for config in device
        )

    found = []
    for device in usb.core.find(find_all=True, backend=backend, custom_match=is_printer):
        vid, pid = int(device.idVendor), int(device.idProduct)
        name = _usb_name(device, usb.util)
        uri = f"usb://{vid:04x}:{pid:04x}"
        found.append(FoundPrinter(Transport.USB, uri, f"{name} ({vid:04x}:{pid:04x})".strip()))
    return found


def _usb_name(device: Any, util: Any) -> str:
    parts = []
    for index in (device.iManufacturer, device.iProduct):
        if not index:
            continue
        try:
            parts.append(util.get_string(device, index) or "")
        except Exception:  # reading strings needs access to the device; the IDs will do
            continue
    return " ".join(part for part in parts if part) or "USB"


def cups_printers(deadline: Deadline) -> list[FoundPrinter]:
    from dnw_desk.printing.cups import list_queues

    return [
        FoundPrinter(Transport.CUPS, f"cups://{quote(queue)}", f"CUPS: {queue}")
        for queue in list_queues(deadline)
    ]


def windows_printers() -> list[FoundPrinter]:
    from dnw_desk.printing.spooler import spooler

    return [
        FoundPrinter(Transport.WIN32, f"win32://{name}", name) for name in spooler().printer_names()
    ]


def serial_printers() -> list[FoundPrinter]:
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    found = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        device = str(port.device)
        uri = f"serial://{device}"  # serial:///dev/ttyUSB0, serial://COM3
        description = port.description if port.description not in ("", "n/a") else ""
        found.append(FoundPrinter(Transport.SERIAL, uri, f"{device} {description}".strip()))
    return found


def device_nodes() -> list[FoundPrinter]:
    """Linux USB line-printer nodes (the usblp driver): written as files."""
    return [
        FoundPrinter(Transport.FILE, f"file://{path}", path)
        for path in sorted(glob.glob("/dev/usb/lp[0-9]*"))
    ]
