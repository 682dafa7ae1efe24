"""Portal logins: lockout after repeated failures, CSRF refused, sessions that expire."""

from __future__ import annotations

from datetime import timedelta

from dnw_desk.server import people
from tests.server.portal.conftest import PASSWORD, Portal


def test_five_wrong_passwords_lock_the_login_even_against_the_right_one(portal: Portal) -> None:
    for _ in range(people.MAX_FAILURES):
        assert portal.login("liaison", "wrong password!").status_code == 401
    locked = portal.login("liaison", PASSWORD)
    assert locked.status_code == 401
    assert "15" in locked.text
    portal.clock.advance(people.LOCKOUT + timedelta(seconds=1))
    assert portal.login("liaison", PASSWORD).status_code == 303


def test_an_unknown_login_and_a_wrong_password_read_the_same(portal: Portal) -> None:
    unknown = portal.login("nobody", PASSWORD)
    wrong = portal.login("liaison", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert ('role="alert">' + unknown.text.split('role="alert">')[1].split("<")[0]) == (
        'role="alert">' + wrong.text.split('role="alert">')[1].split("<")[0]
    )


def test_a_post_without_the_session_csrf_token_is_refused(portal: Portal) -> None:
    portal.login("liaison")
    path = f"/portal/cases/{portal.number}/steps/unit_accepted"
    assert portal.client.post(path, data={}).status_code == 403
    assert portal.client.post(path, data={"csrf": "forged"}).status_code == 403
    assert portal.client.post("/portal/logout", data={"csrf": "forged"}).status_code == 403


def test_a_login_form_posted_from_elsewhere_is_refused(portal: Portal) -> None:
    portal.client.cookies.clear()
    sent = portal.client.post(
        "/portal/login", data={"login": "liaison", "password": PASSWORD, "csrf": "x"}
    )
    assert sent.status_code == 403


def test_the_session_ends_after_30_idle_minutes_and_at_logout(portal: Portal) -> None:
    portal.login("liaison")
    portal.clock.advance(timedelta(minutes=29))
    assert portal.client.get("/portal/queue").status_code == 200
    portal.clock.advance(timedelta(minutes=29))  # active 29 minutes ago: still alive
    assert portal.client.get("/portal/queue").status_code == 200
    portal.clock.advance(timedelta(minutes=31))
    ended = portal.client.get("/portal/queue")
    assert ended.status_code == 401
    assert 'name="password"' in ended.text
    portal.login("liaison")
    csrf = portal.csrf("/portal/queue")
    assert portal.client.post("/portal/logout", data={"csrf": csrf}).status_code in (200, 303)
    assert portal.client.get("/portal/queue", follow_redirects=False).status_code in (303, 401)


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(portal: Portal) -> None:
    response = portal.login("liaison")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie


def test_a_disabled_login_is_refused_and_loses_its_sessions(portal: Portal) -> None:
    from datetime import UTC, datetime

    from dnw_desk.server.portal.sessions import end_sessions_of

    portal.login("liaison")
    with portal.db.write() as conn:
        people.disable_person(conn, "liaison", datetime.now(UTC))
        end_sessions_of(conn, "liaison")
    assert portal.client.get("/portal/queue").status_code == 401
    assert portal.login("liaison").status_code == 401
    with portal.db.write() as conn:
        people.reset_password(conn, "liaison", "another long password")
    assert portal.login("liaison", "another long password").status_code == 303


def test_a_unit_liaison_cannot_open_the_office_pages_nor_the_office_its_queue(
    portal: Portal,
) -> None:
    portal.login("liaison")
    assert portal.client.get("/portal/office").status_code == 403
    portal.logout()
    portal.login("office")
    assert portal.client.get("/portal/queue").status_code == 403


def test_a_bad_portal_address_answers_with_a_page_not_json(portal: Portal) -> None:
    """A mistyped address or query showed the framework's JSON (field names, enum values)."""
    portal.login("liaison")
    for path, code, message in (
        ("/portal/queue?filter=bogus", 422, "网址中有本页无法识别的参数，请从门户中的链接打开。"),
        ("/portal/queue?page=-1", 422, "网址中有本页无法识别的参数，请从门户中的链接打开。"),
        ("/portal/no-such-page", 404, "没有这个页面。"),
    ):
        answer = portal.client.get(path)
        assert answer.status_code == code, path
        assert answer.headers["content-type"].startswith("text/html"), path
        assert message in answer.text and "detail" not in answer.text, path
    api = portal.client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    invalid = portal.client.get("/api/v1/reports/units?month=2026-11&hall=" + "X" * 20)
    assert invalid.headers["content-type"].startswith("application/json")
