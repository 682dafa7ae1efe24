"""From a saved case to what its receipt or not-accepted slip shows (docs/rules.md#receipts).

Plain data mapping, no Qt and no I/O: the desk calls it on the GUI thread with the settings and the
case row it already holds, and the print queue stores the result as the job's payload. Personal data
goes in unmasked; the printing layout masks it, so no caller can forget to.
"""

from __future__ import annotations

from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData
from dnw_desk.services.reference_data import category_names
from dnw_desk.services.settings import BusinessSettings
from dnw_desk.store.cases_repo import CaseRow


def category_label(settings: BusinessSettings, code: str, language: str) -> str:
    """The category's label in the receipt's language."""
    return category_names(settings.categories, language)[code]


def receipt_data(settings: BusinessSettings, case: CaseRow, copy_number: int = 1) -> ReceiptData:
    """The receipt (受理回执) of ``case``; ``copy_number`` > 1 makes it a reprint (补打)."""
    language = settings.receipt_language
    return ReceiptData(
        hall_name=settings.hall_name,
        window_no=settings.window_no,
        case_number=case.number,
        verification_code=case.verification_code,
        status_url_base=settings.status_url_base,
        registered_at=case.registered_at,
        clerk_number=case.clerk_no,
        complainant_name=case.complainant_name or "",
        phone=case.phone or "",
        category_label=category_label(settings, case.category, language),
        service_item=case.service_item,
        responsible_unit=case.lead_unit or "",
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        id_number=case.id_number,
        complainant_kind=case.complainant_kind,
        copy_number=copy_number,
        language=language,
        hotline=settings.hotline,
    )


def slip_data(
    settings: BusinessSettings, case: CaseRow, reason: str, advice: str
) -> NotAcceptedSlipData:
    """The one-time notification slip (一次性告知单) of a case that was not accepted."""
    return NotAcceptedSlipData(
        hall_name=settings.hall_name,
        window_no=settings.window_no,
        case_number=case.number,
        registered_at=case.registered_at,
        clerk_number=case.clerk_no,
        complainant_name=case.complainant_name or "",
        service_item=case.service_item,
        reason=reason,
        advice=advice,
        phone=case.phone,
        complainant_kind=case.complainant_kind,
        language=settings.receipt_language,
        hotline=settings.hotline,
    )
