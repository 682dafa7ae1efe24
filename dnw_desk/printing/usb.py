"""A USB printer through python-escpos' ``Usb`` (pyusb underneath), bounded by the deadline.

python-escpos finds and configures the device; the endpoints are then taken from the printer's
own interface (python-escpos assumes 0x01/0x82, which many receipt printers do not use), and
every transfer gets what is left of the job's deadline as its timeout.

``BACKEND`` is the pyusb backend to use (None: pyusb's default, libusb); tests put a fake one
there that exercises the same code path.
"""

from __future__ import annotations

import time
from typing import Any

from dnw_desk.i18n import _
from dnw_desk.printing.connection import Deadline, DleEotStatus, deadline_error

PRINTER_CLASS = 7  # USB interface class of printers
CHUNK = 4096
BACKEND: Any = None


def _modules() -> tuple[Any, Any]:
    try:
        import usb.core
        import usb.util
    except ImportError:
        from dnw_desk.printing.errors import missing_piece

        raise missing_piece("pyusb", _("USB printers")) from None
    return usb.core, usb.util


def _milliseconds(seconds: float) -> int:
    # 0 means "no timeout" to pyusb: never pass it.
    return max(1, int(seconds * 1000))


class UsbConnection(DleEotStatus):
    def __init__(self, vendor_id: int, product_id: int, backend: Any = None) -> None:
        from escpos.printer import Usb

        core, util = _modules()
        self._timeout_error: type[Exception] = core.USBTimeoutError
        usb_args: dict[str, Any] = {"backend": backend or BACKEND} if backend or BACKEND else {}
        self.printer = Usb(vendor_id, product_id, usb_args=usb_args, timeout=1000)
        self.printer.open()  # raises DeviceNotFoundError when it is not plugged in
        try:
            self._use_printer_interface(util)
        except BaseException:
            self.printer.close()  # never returned, so nobody else would release it
            raise
        self._pending = b""

    def _use_printer_interface(self, util: Any) -> None:
        device = self.printer.device
        interface = _printer_interface(device, util)
        if interface is None:
            return
        # Claiming opens the device, so a missing permission shows here and not half-way
        # through the first write (python-escpos only logs it when configuring).
        util.claim_interface(device, interface.bInterfaceNumber)
        out_ep, in_ep = _endpoints(interface, util)
        self.printer.out_ep = self.printer.out_ep if out_ep is None else out_ep
        self.printer.in_ep = self.printer.in_ep if in_ep is None else in_ep

    def write(self, data: bytes, deadline: Deadline) -> None:
        view = memoryview(data)
        while view:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise deadline_error(deadline, _("sending the job"))
            self.printer.timeout = _milliseconds(remaining)
            try:
                self.printer._raw(bytes(view[:CHUNK]))
            except self._timeout_error:
                raise deadline_error(deadline, _("sending the job")) from None
            view = view[CHUNK:]

    def read_byte(self, deadline: float) -> int | None:
        while not self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.printer.in_ep is None:
                return None
            try:
                self._pending = bytes(
                    self.printer.device.read(self.printer.in_ep, 64, _milliseconds(remaining))
                )
            except self._timeout_error:
                return None
        byte, self._pending = self._pending[0], self._pending[1:]
        return byte

    def close(self) -> None:
        self.printer.close()


def _printer_interface(device: Any, util: Any) -> Any:
    config = device.get_active_configuration() if _configured(device) else device[0]
    return util.find_descriptor(config, bInterfaceClass=PRINTER_CLASS) or util.find_descriptor(
        config
    )


def _configured(device: Any) -> bool:
    try:
        device.get_active_configuration()
    except Exception:  # not configured yet, or the backend cannot tell
        return False
    return True


def _endpoints(interface: Any, util: Any) -> tuple[int | None, int | None]:
    def first(direction: int) -> int | None:
        endpoint = util.find_descriptor(
            interface,
            custom_match=lambda e: (
                util.endpoint_direction(e.bEndpointAddress) == direction
                and util.endpoint_type(e.bmAttributes) == util.ENDPOINT_TYPE_BULK
            ),
        )
        return None if endpoint is None else int(endpoint.bEndpointAddress)

    return first(util.ENDPOINT_OUT), first(util.ENDPOINT_IN)
