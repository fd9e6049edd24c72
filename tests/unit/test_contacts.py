"""Contact details as visitors type them: names, companies, phones, WeChat ids, e-mails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhtext.contacts import Contact, is_refusal, parse_company, parse_contact, parse_name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("王磊", "王磊"),
        ("我叫王磊", "王磊"),
        ("张先生", "张先生"),
        ("叫我小李就行了", "小李"),
        ("李工就行", "李工"),
        ("姓名：欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("Tom Lee", "Tom Lee"),
        ("my name is Anna", "Anna"),
        ("  王磊。", "王磊"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "王",  # one character: ask how to address them
        "我想先问一下办证要多少钱",  # a sentence
        "你们是什么公司？",
        "13812345678",
        "me@example.com",
        "不知道",
        "算了",
        "这是一个非常非常非常非常长的一句话而不是名字",
        "",
    ],
)
def test_not_names(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("深圳某某科技有限公司", "深圳某某科技有限公司"),
        ("公司叫杭州云呼信息技术有限公司", "杭州云呼信息技术有限公司"),
        ("我们公司是：北京某某", "北京某某"),
        ("还没注册", "还没注册"),
        ("ACME Ltd.", "ACME Ltd"),
    ],
)
def test_companies(text: str, company: str) -> None:
    assert parse_company(text) == company


@pytest.mark.parametrize(
    "text", ["无", "不清楚", "公司叫什么有关系吗？", "不用了", "13812345678", "a@b.cn", ""]
)
def test_not_companies(text: str) -> None:
    assert parse_company(text) is None


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("13812345678", Contact("mobile", "13812345678")),
        ("138 1234 5678", Contact("mobile", "13812345678")),
        ("+86 138-1234-5678", Contact("mobile", "13812345678")),
        ("手机：１３９１２３４５６７８", Contact("mobile", "13912345678")),
        ("微信同手机13912345678", Contact("mobile", "13912345678")),
        ("电话 010-12345678", Contact("landline", "010-12345678")),
        ("0755-8765432-801", Contact("landline", "0755-8765432-801")),
        ("400-123-4567", Contact("landline", "400-123-4567")),
        ("Me@Example.COM", Contact("email", "me@example.com")),
        ("微信：zhang_san88", Contact("wechat", "zhang_san88")),
        ("wechat: Li_Lei-2020", Contact("wechat", "Li_Lei-2020")),
        ("wx abc123", Contact("wechat", "abc123")),
        ("我的微信是a12345", Contact("wechat", "a12345")),
    ],
)
def test_contacts(text: str, contact: Contact) -> None:
    assert parse_contact(text) == contact


@pytest.mark.parametrize(
    "text",
    [
        "12812345678",  # no mobile starts 12
        "1381234567",  # ten digits
        "123456",
        "abc12",  # a WeChat id has at least 6 characters
        "1abcdefg",  # and starts with a letter
        "abcdefghijklmnopqrstu",  # and has at most 20
        "wechat",  # a label alone is no id
        "不用了 谢谢",
        "我没有微信",
        "",
    ],
)
def test_not_contacts(text: str) -> None:
    assert parse_contact(text) is None


@pytest.mark.parametrize("text", ["算了", "不用了", "还是不用了吧", "不方便留", "no thanks", "Never mind"])
def test_refusals(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize("text", ["王磊", "13812345678", "好的", "用的是手机"])
def test_not_refusals(text: str) -> None:
    assert not is_refusal(text)


@given(st.text(max_size=60))
def test_readers_never_raise(text: str) -> None:
    for reader in (parse_name, parse_company, parse_contact, is_refusal):
        reader(text)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_shape_is_read(number: str) -> None:
    assert parse_contact(number) == Contact("mobile", number)
