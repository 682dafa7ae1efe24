"""Realistic sample documents for ``dnw-desk receipt --sample``, tests and benchmarks."""

from __future__ import annotations

from datetime import datetime

from dnw_desk.clock import HALL_TZ
from dnw_desk.printing.model import NotAcceptedSlipData, ReceiptData

SAMPLE_PHONE = "+8613812345678"
SAMPLE_ID_NUMBER = "11010519491231002X"


def sample_receipt(
    *, name: str = "𠮷丽娜", copy_number: int = 1, language: str = "zh_CN"
) -> ReceiptData:
    return ReceiptData(
        hall_name="安徽省政务服务中心",
        window_no="8",
        case_number="AH08-20261124-0007K",
        verification_code="7K3Q9P",
        status_url_base="https://zwfw.example.gov.cn/dnw",
        registered_at=datetime(2026, 11, 24, 10, 32, tzinfo=HALL_TZ),
        clerk_number="0815",
        complainant_name=name,
        phone=SAMPLE_PHONE,
        id_number=SAMPLE_ID_NUMBER,
        category_label="多次来办仍未办成",
        service_item="不动产登记（二手房转移登记）",
        responsible_unit="合肥市自然资源和规划局不动产登记中心",
        deadline=datetime(2026, 11, 25, 17, 30, tzinfo=HALL_TZ),
        deadline_provisional=False,
        copy_number=copy_number,
        language=language,
    )


def sample_slip(*, name: str = "买买提·艾力", language: str = "zh_CN") -> NotAcceptedSlipData:
    return NotAcceptedSlipData(
        hall_name="安徽省政务服务中心",
        window_no="8",
        case_number="AH08-20261124-0008M",
        registered_at=datetime(2026, 11, 24, 11, 5, tzinfo=HALL_TZ),
        clerk_number="0815",
        complainant_name=name,
        phone=SAMPLE_PHONE,
        service_item="房屋买卖合同纠纷",
        reason="反映事项属于民事纠纷，已进入诉讼程序，不属于“办不成事”反映窗口受理范围。",
        advice="请向人民法院咨询诉讼进展；其他政务服务问题可拨打12345政务服务便民热线。",
        language=language,
    )
