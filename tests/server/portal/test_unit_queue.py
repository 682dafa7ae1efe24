"""A unit liaison works its queue in the portal: sign, opinion, complainant informed (which also
tells the window); the desk's pull carries the steps. Other units see nothing of the case."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dnw_desk.contract.wire import FEEDBACK_PATH, PULL_PATH, PUSH_PATH
from dnw_desk.domain.masking import contains_unmasked_pii
from dnw_desk.server.tables import portal_audit
from tests.factories import desk_at, register, registration
from tests.server.helpers import feedback, outbox_payloads, without_form_secrets
from tests.server.portal.conftest import Portal


def _step(portal: Portal, step: str, **fields: str) -> Any:
    path = f"/portal/cases/{portal.number}"
    data = {"csrf": portal.csrf(path), **fields}
    return portal.client.post(f"{path}/steps/{step}", data=data, follow_redirects=False)


def test_the_liaison_signs_answers_and_informs_and_the_window_pulls_it(portal: Portal) -> None:
    assert portal.login("liaison").status_code == 303
    queue = portal.client.get("/portal/queue?filter=to_sign")
    assert portal.number in queue.text
    assert "工作时间" in queue.text or "Working time" in queue.text
    signed = _step(portal, "unit_accepted")
    assert signed.status_code == 303, signed.text
    assert portal.number not in portal.client.get("/portal/queue?filter=to_sign").text
    answered = _step(portal, "opinion_given", kind="handled", text="已协调窗口当日办结")
    assert answered.status_code == 303
    informed = _step(
        portal, "complainant_informed", channel="phone", informed_at="2026-11-24T13:30"
    )
    assert informed.status_code == 303
    page = portal.client.get(informed.headers["location"])
    assert "已保存" in page.text or "Saved" in page.text
    pulled = portal.client.get(
        PULL_PATH, headers={"Authorization": f"Bearer {portal.terminal}"}
    ).json()
    kinds = [event["event"]["type"] for event in pulled["events"]]
    assert kinds == ["unit_accepted", "opinion_given", "complainant_informed", "window_informed"]
    assert {event["event"]["data"]["unit"] for event in pulled["events"]} == {"省公安厅"}


def test_a_form_sent_twice_records_its_step_once(portal: Portal) -> None:
    portal.login("liaison")
    path = f"/portal/cases/{portal.number}"
    data = {"csrf": portal.csrf(path), "op_id": "7d0b5a0e-2f4e-4c55-9a53-3f1b0e0b6a11"}
    for _ in range(2):
        sent = portal.client.post(f"{path}/steps/unit_accepted", data=data, follow_redirects=False)
        assert sent.status_code == 303
    pulled = portal.client.get(PULL_PATH, headers={"Authorization": f"Bearer {portal.terminal}"})
    assert [e["event"]["type"] for e in pulled.json()["events"]] == ["unit_accepted"]


def test_a_refused_step_says_why_and_records_nothing(portal: Portal) -> None:
    portal.login("liaison")
    missing = _step(portal, "unit_returned", reason="")
    assert missing.status_code == 422
    informed_first = _step(
        portal, "complainant_informed", channel="phone", informed_at="2026-11-24T13:30"
    )
    assert informed_first.status_code == 409
    assert 'role="alert"' in informed_first.text
    pulled = portal.client.get(PULL_PATH, headers={"Authorization": f"Bearer {portal.terminal}"})
    assert pulled.json()["events"] == []


def test_other_units_and_the_same_name_in_another_hall_get_nothing(portal: Portal) -> None:
    for login in ("other", "elsewhere"):
        portal.logout()
        portal.login(login)
        assert portal.number not in portal.client.get("/portal/queue").text
        assert portal.client.get(f"/portal/cases/{portal.number}").status_code == 404
        refused = portal.client.post(
            f"/portal/cases/{portal.number}/steps/unit_accepted",
            data={"csrf": portal.csrf("/portal/queue")},
        )
        assert refused.status_code == 404
    pulled = portal.client.get(PULL_PATH, headers={"Authorization": f"Bearer {portal.terminal}"})
    assert pulled.json()["events"] == []


def test_the_phone_is_masked_until_revealed_with_a_reason_and_the_reveal_is_audited(
    portal: Portal,
) -> None:
    portal.login("liaison")
    phone = registration().complainant.phone
    page = portal.client.get(f"/portal/cases/{portal.number}")
    assert phone not in page.text
    assert contains_unmasked_pii(without_form_secrets(page.text)) == []
    path = f"/portal/cases/{portal.number}/reveal"
    no_reason = portal.client.post(path, data={"csrf": portal.csrf(page.url.path), "reason": " "})
    assert no_reason.status_code == 422 and phone not in no_reason.text
    shown = portal.client.post(
        path, data={"csrf": portal.csrf(page.url.path), "reason": "回电核实办理结果"}
    )
    assert shown.status_code == 200 and phone in shown.text
    with portal.db.read() as conn:
        [entry] = conn.execute(select(portal_audit)).all()
    assert (entry.case_number, entry.reason, entry.action) == (
        portal.number,
        "回电核实办理结果",
        "phone_revealed",
    )


def _alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>(.*?)</', html, re.S)
    assert found is not None, html
    return found.group(1).strip()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_refusal_by_the_rules_is_in_the_page_language(portal: Portal, lang: str) -> None:
    """The workflow rules word their refusals in the language of the page that asked (the same
    server answers a zh_CN page and an English one at once)."""
    portal.login("liaison")
    path = f"/portal/cases/{portal.number}"
    portal.client.get(f"{path}?lang={lang}")  # the language is remembered from here on
    refused = _step(portal, "complainant_informed", channel="phone", informed_at="2026-11-24T13:30")
    assert refused.status_code == 409
    message = _alert(refused.text)
    chinese = re.search(r"[\u4e00-\u9fff]", message) is not None
    assert chinese is (lang == "zh_CN"), message
    no_such_step = _step(portal, "no_such_step")
    chinese = re.search(r"[\u4e00-\u9fff]", _alert(no_such_step.text)) is not None
    assert chinese is (lang == "zh_CN"), no_such_step.text


def test_a_case_the_unit_returned_stays_in_its_queue_until_the_window_decides(
    portal: Portal,
) -> None:
    """A return clears the case's lead unit until the window reviews it: the liaison still
    finds it under "Returned" and on its page (the redirect after the return lands there), and
    another unit sees nothing of it."""
    portal.login("liaison")
    returned = _step(portal, "unit_returned", reason="不属于本单位职责，请改转省教育厅")
    assert returned.status_code == 303
    page = portal.client.get(returned.headers["location"])
    assert page.status_code == 200, page.text
    assert "已退回" in page.text or "Returned" in page.text
    queue = portal.client.get("/portal/queue?filter=returned")
    assert portal.number in queue.text
    assert "协办" not in queue.text and "Co-unit" not in queue.text
    portal.logout()
    portal.login("other")
    assert portal.number not in portal.client.get("/portal/queue?filter=returned").text
    assert portal.client.get(f"/portal/cases/{portal.number}").status_code == 404


def test_the_extension_forms_button_says_what_it_does(portal: Portal) -> None:
    """Its button shared the msgid "Request" with the complainant's request (诉求)."""
    portal.login("liaison")
    page = portal.client.get(f"/portal/cases/{portal.number}").text
    form = re.search(r'steps/extension_requested".*?</form>', page, re.S)
    assert form is not None
    [button] = re.findall(r"<button[^>]*>(.*?)</button>", form.group(0))
    assert button == "提交延期申请"


def test_a_blank_or_overlong_field_is_named_and_nothing_is_recorded(portal: Portal) -> None:
    """Spaces pass the browser's "required"; a text past the limit was cut silently."""
    portal.login("liaison")
    blank = _step(portal, "unit_returned", reason="   ")
    assert blank.status_code == 422
    assert _alert(blank.text) == "请填写：原因。"
    opinion = _step(portal, "opinion_given", kind="handled", text="")
    assert _alert(opinion.text) == "请填写：意见内容。"
    long = _step(portal, "unit_returned", reason="退" * 2001)
    assert long.status_code == 422
    assert _alert(long.text) == "原因过长：最多2000字。"
    pulled = portal.client.get(PULL_PATH, headers={"Authorization": f"Bearer {portal.terminal}"})
    assert pulled.json()["events"] == []


def test_the_timeline_names_the_desks_clerk_in_the_page_language(portal: Portal) -> None:
    portal.login("liaison")
    english = portal.client.get(f"/portal/cases/{portal.number}?lang=en").text
    assert "窗口人员" not in english and "Clerk wang" in english
    chinese = portal.client.get(f"/portal/cases/{portal.number}?lang=zh_CN").text
    assert "窗口人员 wang" in chinese


def test_a_later_return_of_another_case_does_not_hide_this_one(
    portal: Portal, tmp_path: Path
) -> None:
    """Which return is a case's latest is asked of that case's own steps."""
    desk, _clock = desk_at(tmp_path / "desk")
    second = str(register(desk).case.number)
    terminal = {"Authorization": f"Bearer {portal.terminal}"}
    assert portal.client.post(PUSH_PATH, json={"ops": outbox_payloads(desk)}, headers=terminal)
    desk.close()
    unit = {"Authorization": f"Bearer {portal.unit_token}"}
    for kind in ("unit_accepted", "unit_returned"):  # its return comes later in its timeline
        sent = portal.client.post(FEEDBACK_PATH, json=feedback(second, kind), headers=unit)
        assert sent.status_code == 201, sent.text
    portal.login("liaison")
    assert _step(portal, "unit_returned", reason="不属于本单位职责").status_code == 303
    queue = portal.client.get("/portal/queue?filter=returned").text
    assert portal.number in queue and second in queue


def test_a_queue_card_labels_only_the_cells_that_say_something(portal: Portal) -> None:
    """On a phone each cell is a labelled line: a case with no countdown (returned, waiting
    for the window) showed "预警：" with nothing after it."""
    portal.login("liaison")
    _step(portal, "unit_returned", reason="不属于本单位职责")
    html = portal.client.get("/portal/queue?filter=returned").text
    assert portal.number in html
    assert not re.search(r'<td data-label="[^"]*"[^>]*>\s*</td>', html)
