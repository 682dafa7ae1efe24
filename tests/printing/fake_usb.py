"""A pyusb backend with one fake USB receipt printer, for python-escpos' real USB code path.

pyusb's ``find(backend=...)`` takes any object with the backend methods; this one enumerates a
printer-class device (interface class 7, bulk OUT 0x02 and bulk IN 0x81, not python-escpos'
default endpoints), takes bulk writes, answers DLE EOT on the IN endpoint, and can refuse
permission, stop reading, fall silent, or disappear after some bytes (unplugged mid-job).
"""

from __future__ import annotations

import errno
import threading
import time
from types import SimpleNamespace
from typing import Any

from usb.backend import IBackend
from usb.core import USBError, USBTimeoutError

ONLINE = {1: 0x12, 2: 0x12, 4: 0x12}
OUT_EP, IN_EP = 0x02, 0x81


class FakeUsbPrinter:
    def __init__(
        self,
        vendor_id: int = 0x0416,
        product_id: int = 0x5011,
        answers: dict[int, int] | None = None,
        *,
        denied: bool = False,
        silent: bool = False,
        stalls_after: int | None = None,
        unplugs_after: int | None = None,
    ) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.answers = answers or ONLINE
        self.denied, self.silent = denied, silent
        self.stalls_after, self.unplugs_after = stalls_after, unplugs_after
        self.received = bytearray()
        self.pending = bytearray()
        self.unplugged = False
        self.configuration = 0
        self.lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"usb://{self.vendor_id:04x}:{self.product_id:04x}"


def _gone() -> USBError:
    return USBError("No such device (it may have been disconnected)", -4, errno.ENODEV)


class FakeUsbBackend(IBackend):  # type: ignore[misc]
    def __init__(self, *printers: FakeUsbPrinter) -> None:
        self.printers = list(printers)

    # --- descriptors ---

    def enumerate_devices(self) -> Any:
        return iter([p for p in self.printers if not p.unplugged])

    def get_parent(self, dev: FakeUsbPrinter) -> None:
        return None

    def get_device_descriptor(self, dev: FakeUsbPrinter) -> Any:
        return SimpleNamespace(
            bLength=18, bDescriptorType=1, bcdUSB=0x0200, bDeviceClass=0, bDeviceSubClass=0,
            bDeviceProtocol=0, bMaxPacketSize0=64, idVendor=dev.vendor_id,
            idProduct=dev.product_id, bcdDevice=0x0100, iManufacturer=0, iProduct=0,
            iSerialNumber=0, bNumConfigurations=1, address=5, bus=1, port_number=2,
            port_numbers=(2,), speed=3,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev: FakeUsbPrinter, config: int) -> Any:
        return SimpleNamespace(
            bLength=9, bDescriptorType=2, wTotalLength=32, bNumInterfaces=1,
            bConfigurationValue=1, iConfiguration=0, bmAttributes=0xC0, bMaxPower=50,
            extra_descriptors=[],
        )  # fmt: skip

    def get_interface_descriptor(
        self, dev: FakeUsbPrinter, intf: int, alt: int, config: int
    ) -> Any:
        if intf != 0 or alt != 0:
            raise IndexError("no such interface")
        return SimpleNamespace(
            bLength=9, bDescriptorType=4, bInterfaceNumber=0, bAlternateSetting=0,
            bNumEndpoints=2, bInterfaceClass=7, bInterfaceSubClass=1, bInterfaceProtocol=2,
            iInterface=0, extra_descriptors=[],
        )  # fmt: skip

    def get_endpoint_descriptor(
        self, dev: FakeUsbPrinter, ep: int, intf: int, alt: int, config: int
    ) -> Any:
        address = (OUT_EP, IN_EP)[ep]
        return SimpleNamespace(
            bLength=7, bDescriptorType=5, bEndpointAddress=address, bmAttributes=2,
            wMaxPacketSize=64, bInterval=0, bRefresh=0, bSynchAddress=0, extra_descriptors=[],
        )  # fmt: skip

    # --- handles and configuration ---

    def open_device(self, dev: FakeUsbPrinter) -> FakeUsbPrinter:
        if dev.unplugged:
            raise _gone()
        if dev.denied:
            raise USBError("Access denied (insufficient permissions)", -3, errno.EACCES)
        return dev

    def close_device(self, handle: FakeUsbPrinter) -> None:
        pass

    def set_configuration(self, handle: FakeUsbPrinter, value: int) -> None:
        handle.configuration = value

    def get_configuration(self, handle: FakeUsbPrinter) -> int:
        return handle.configuration

    def set_interface_altsetting(self, handle: FakeUsbPrinter, intf: int, alt: int) -> None:
        pass

    def claim_interface(self, handle: FakeUsbPrinter, intf: int) -> None:
        if handle.unplugged:
            raise _gone()

    def release_interface(self, handle: FakeUsbPrinter, intf: int) -> None:
        pass

    def reset_device(self, handle: FakeUsbPrinter) -> None:
        pass

    def clear_halt(self, handle: FakeUsbPrinter, ep: int) -> None:
        pass

    # --- transfers ---

    def bulk_write(
        self, handle: FakeUsbPrinter, ep: int, intf: int, data: Any, timeout: int
    ) -> int:
        if ep != OUT_EP:
            raise USBError("Pipe error", -9, errno.EPIPE)
        if handle.unplugged:
            raise _gone()
        if handle.stalls_after is not None and len(handle.received) >= handle.stalls_after:
            time.sleep(timeout / 1000)  # the printer stopped taking data
            raise USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
        chunk = bytes(data)
        with handle.lock:
            handle.received += chunk
            self._answer(handle)
        if handle.unplugs_after is not None and len(handle.received) >= handle.unplugs_after:
            handle.unplugged = True
        return len(chunk)

    def _answer(self, handle: FakeUsbPrinter) -> None:
        tail = bytes(handle.received[-3:])
        # Only the newest request matters: status queries are sent one at a time.
        if len(tail) >= 3 and tail[-3:-1] == b"\x10\x04" and not handle.silent:
            n = tail[-1]
            if n in handle.answers:
                handle.pending.append(handle.answers[n])

    def bulk_read(self, handle: FakeUsbPrinter, ep: int, intf: int, buff: Any, timeout: int) -> int:
        if ep != IN_EP:
            raise USBError("Pipe error", -9, errno.EPIPE)
        if handle.unplugged:
            raise _gone()
        with handle.lock:
            if handle.pending:
                count = min(len(buff), len(handle.pending))
                for index in range(count):
                    buff[index] = handle.pending[index]
                del handle.pending[:count]
                return count
        time.sleep(timeout / 1000)
        raise USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)
