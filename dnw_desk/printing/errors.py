"""Every transport's errors (python-escpos, pyusb, pyserial, the OS) as one clear PrinterError.

A clerk reads these: they say what happened to the printer and what to do, never a library's
exception text alone (that goes in parentheses at the end, for the admin).
"""

from __future__ import annotations

import errno
import logging

from dnw_desk.i18n import N_, _
from dnw_desk.printing.connection import (
    Deadline,
    PrinterError,
    PrinterState,
    PrinterStatus,
    deadline_error,
)
from dnw_desk.printing.uri import PrinterAddress, Transport

log = logging.getLogger(__name__)
_NOT_THERE = {errno.ENOENT, errno.ENODEV, errno.ENXIO}
_GONE_MID_JOB = {errno.ENODEV, errno.EIO, errno.EPIPE, errno.ECONNRESET, errno.ESHUTDOWN}
_UNREACHABLE = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT}


def missing_piece(package: str, what: str) -> PrinterError:
    return PrinterError(
        _("{package} is not installed, so {what} cannot be used. Reinstall the desk.").format(
            what=what, package=package
        ),
        PrinterStatus(PrinterState.UNREACHABLE),
    )


def printer_error(
    exc: BaseException, address: PrinterAddress, deadline: Deadline, during_job: bool = False
) -> PrinterError:
    """``exc`` as a ``PrinterError`` a clerk understands."""
    if isinstance(exc, PrinterError):
        return exc
    if isinstance(exc, ImportError):
        return missing_piece(exc.name or "?", _("this printer connection"))
    name = type(exc).__name__
    if name == "NoBackendError":  # pyusb without libusb
        return missing_piece("libusb", _("USB printers"))
    if name in ("DeviceNotFoundError", "USBNotFoundError") and not during_job:
        return _not_found(address, exc)
    if name == "USBTimeoutError" or isinstance(exc, TimeoutError):
        if during_job:
            return deadline_error(deadline, _("the printer stopped taking data"))
        return _unreachable(address, exc)
    if isinstance(exc, RuntimeError) and address.transport is Transport.USB:
        return missing_piece("pyusb", _("USB printers"))  # python-escpos' dependency check
    code = getattr(exc, "errno", None)
    if code in (errno.EACCES, errno.EPERM):
        return PrinterError(
            _(
                "No permission to use the printer at {uri}. Ask the administrator to give this "
                "account access to it (see the README, section Printers)."
            ).format(uri=address.uri)
            + _detail(exc),
            PrinterStatus(PrinterState.UNREACHABLE),
        )
    if during_job and code in _GONE_MID_JOB:
        return PrinterError(
            _(
                "The printer was unplugged or switched off during the job. Check whether the "
                "receipt came out whole; if not, reprint it."
            )
            + _detail(exc),
            PrinterStatus(PrinterState.UNREACHABLE),
        )
    if code in _NOT_THERE or name in ("DeviceNotFoundError", "USBNotFoundError"):
        return _not_found(address, exc)
    if code in _UNREACHABLE or isinstance(exc, OSError):
        return _unreachable(address, exc)
    return PrinterError(
        _("Printing to {uri} failed.").format(uri=address.uri) + _detail(exc),
        PrinterStatus(PrinterState.UNREACHABLE),
    )


def _not_found(address: PrinterAddress, exc: BaseException) -> PrinterError:
    return PrinterError(
        _(
            "No printer found at {uri}. Check that it is plugged in and switched on, or choose "
            "it again in the settings."
        ).format(uri=address.uri)
        + _detail(exc),
        PrinterStatus(PrinterState.NOT_FOUND),
    )


def _unreachable(address: PrinterAddress, exc: BaseException) -> PrinterError:
    reason = _os_reason(exc) or _("no answer")
    return PrinterError(
        _("Cannot reach the printer at {uri}: {reason}").format(uri=address.uri, reason=reason),
        PrinterStatus(PrinterState.UNREACHABLE),
    )


# What the OS says, in the clerk's language: its own words ("Connection refused") are English
# whatever the desk's language, so they go to the log, not on screen.
_OS_REASONS = {
    errno.ECONNREFUSED: N_("nothing answers at that address and port"),
    errno.EHOSTUNREACH: N_("the network cannot reach that address"),
    errno.ENETUNREACH: N_("the network cannot reach that address"),
    errno.ETIMEDOUT: N_("no answer in time"),
    errno.ECONNRESET: N_("the printer closed the connection"),
    errno.EPIPE: N_("the printer closed the connection"),
    errno.ENOENT: N_("there is no such device"),
    errno.ENODEV: N_("there is no such device"),
    errno.ENXIO: N_("there is no such device"),
    errno.EIO: N_("the device stopped answering"),
    errno.EBUSY: N_("another program is using the device"),
}


def _os_reason(exc: BaseException) -> str:
    code = getattr(exc, "errno", None)
    if code in _OS_REASONS:
        return _(_OS_REASONS[code])
    if isinstance(exc, TimeoutError):
        return _(_OS_REASONS[errno.ETIMEDOUT])
    if isinstance(exc, OSError):
        log.info("printer OS error: %s", exc)
    return ""


def _detail(exc: BaseException) -> str:
    reason = _os_reason(exc)
    return _(" ({reason})").format(reason=reason) if reason else ""
