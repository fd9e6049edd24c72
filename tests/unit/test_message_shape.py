"""licence/message_shape.py: unreadable text, and where the questions of a message begin and end."""

from __future__ import annotations

import pytest

from licence.message_shape import is_unreadable, last_question, question_clauses


@pytest.mark.parametrize(
    "text",
    [
        "asdfgh",
        "qwertyuiop",
        "zxcvbnm,./",
        "sdjfkl;sdjf",
        "jjjjj",
        "hhhhhhhhh",
        "啊啊啊啊啊啊",
        "哈哈哈哈哈哈哈",
        "6666666",
        "1111",
        "。。。",
        "......",
        "？？？",
        "😂😂😂😂",
        "🙄🐶🔥💯✨",
        "https://www.baidu.com",
        "http://t.cn/A6xYz12k",
    ],
)
def test_unreadable_text(text: str) -> None:
    assert is_unreadable(text)


@pytest.mark.parametrize(
    "text",
    [
        # interview answers and short replies are readable, however short
        "8",
        "123456789",
        "是",
        "好的",
        "ok",
        "yes",
        "嗯嗯嗯嗯",
        "对对对对",
        "👍",
        "👌",
        # words, abbreviations and real questions
        "B24",
        "ICP",
        "hello",
        "thnks",
        "What?",
        "注册资本要多少",
        # blank text has its own prompt
        "",
        "   ",
    ],
)
def test_readable_text(text: str) -> None:
    assert not is_unreadable(text)


@pytest.mark.parametrize(
    "text, question",
    [
        (
            "我们是一家做金融客服外包的公司，材料也整理得差不多了。想问一下从递交材料到拿证大概要多久？",
            "想问一下从递交材料到拿证大概要多久？",
        ),
        # one sentence: its last clause, with the one before when it is short
        ("我们公司在杭州做客服外包,注册资本500万,要去哪里申请?", "注册资本500万,要去哪里申请?"),
        # a short message, or a long one that asks nothing, has none
        ("注册资本要多少", ""),
        ("我们是一家做金融客服外包的公司。材料也整理得差不多了。", ""),
    ],
)
def test_last_question(text: str, question: str) -> None:
    assert last_question(text) == question


@pytest.mark.parametrize(
    "text, clauses",
    [
        ("办哪种证，找谁办", ["办哪种证", "找谁办"]),
        ("注册资本要多少 社保要几个人", ["注册资本要多少", "社保要几个人"]),
        (
            "how long does it take? and how much does it cost?",
            ["how long does it take", "and how much does it cost"],
        ),
        # one question, with a fact or a greeting before it
        ("注册资本才80万，办省内的够吗", []),
        ("你好，请问注册资本要多少", []),
        ("What is B24 and who needs it", []),
    ],
)
def test_question_clauses(text: str, clauses: list) -> None:
    assert question_clauses(text) == clauses
