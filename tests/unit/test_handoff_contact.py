"""The contact a visitor leaves for a handoff ticket: zhtext/contacts.py, as the lead form reads it."""

from __future__ import annotations

from typing import Optional

import pytest

from zhtext.contacts import parse_contact


def find_contact(text: str) -> Optional[str]:
    found = parse_contact(text)
    return found.value if found else None


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("13812345678", "13812345678"),
        ("我的手机13812345678，下午都在", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 13912345678", "13912345678"),
        ("１３８１２３４５６７８", "13812345678"),  # typed full-width
        ("座机010-12345678", "010-12345678"),
        ("0755 87654321转分机", "075587654321"),
        ("邮箱 li.si@example.com.cn", "li.si@example.com.cn"),
        ("微信号：zhang_san88", "zhang_san88"),
        ("加我微信 li-si-2020 谢谢", "li-si-2020"),
        ("vx abc12345", "abc12345"),
        ("WeChat ID: tom_lee1", "tom_lee1"),
        ("wxid_abc123", "wxid_abc123"),
    ],
)
def test_a_phone_an_email_or_a_wechat_id_is_found(text: str, contact: str) -> None:
    assert find_contact(text) == contact


@pytest.mark.parametrize(
    "text",
    [
        "",
        "不方便留",
        "你们几点上班",
        "注册资本1000万够不够",
        "12345",
        "12812345678",  # no mobile number starts with 12
        "13812345678901",  # too long to be one
        "hello",
        "thanks a lot",
        "微信",
    ],
)
def test_a_reply_without_a_contact_has_none(text: str) -> None:
    found: Optional[str] = find_contact(text)
    assert found is None
