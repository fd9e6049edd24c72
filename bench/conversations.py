"""Conversation scripts for the serving bench and the load test: mixed FAQ
questions and eligibility-interview turns, taken from tests/e2e/test_rest.py.
Each script is one conversation (one sender id)."""

from __future__ import annotations

from typing import List

SCRIPTS: List[List[str]] = [
    # FAQ questions with a follow-up and traditional characters
    [
        "办个省内的呼叫中心证注册资金得多少钱",
        "有效期几年",
        "呼叫中心許可證要準備哪些材料",
        "地网注册资本要求多少",
        "那全网呢？",
        "谢谢",
    ],
    # an eligible interview, several answers in one message
    [
        "我想看看我们公司能不能办呼叫中心许可证",
        "我们是深圳的有限公司，只做广东省内业务，注册资本五百万，没有外资",
        "没有",
        "没有",
        "有",
        "社保有4个人",
        "有",
        "有",
        "有",
    ],
    # an ineligible interview and a correction
    [
        "帮我评估一下",
        "全国",
        "是有限公司",
        "注册资本600万",
        "纯内资",
        "不在",
        "没有",
        "有",
        "2个",
        "有",
        "有",
        "有",
        "刚才说错了，注册资本是1500万，社保有5个人",
    ],
    # an FAQ in the middle of an interview, then stopping it
    ["帮我测测能不能办证", "地网", "北京", "分公司可以自己申请吗？", "算了不问了", "有效期几年"],
    # the need check, another licence, greetings
    [
        "你好",
        "我们是做电话客服外包的，需不需要办这个证",
        "ICP经营许可证怎么申请啊",
        "办地网呼叫中心许可证注册资本要多少？",
        "再见",
    ],
]


def turns_per_round() -> int:
    return sum(len(s) for s in SCRIPTS)


# The serving comparison with Rasa's starter bot (bench/versus.py): FAQ questions
# and chit-chat each bot understands, cycled to make conversations of any length.
PROJECT_MIX: List[str] = [
    "你好",
    "办个省内的呼叫中心证注册资金得多少钱",
    "有效期几年",
    "呼叫中心許可證要準備哪些材料",
    "谢谢",
    "地网注册资本要求多少",
    "那全网呢？",
    "你是机器人吗",
    "续期要提前多久",
    "年报什么时候交",
    "我们是做电话客服外包的，需不需要办这个证",
    "好的谢谢",
]

STARTER_MIX: List[str] = [
    "hello",
    "are you a bot?",
    "I am great",
    "hi there",
    "am I talking to a human?",
    "very good",
    "good morning",
    "are you a human?",
    "I am feeling wonderful",
    "hey",
    "am I talking to a bot?",
    "perfect",
]


def cycled(texts: List[str], turns: int, start: int = 0) -> List[str]:
    """`turns` messages taken from `texts` in order, starting at `start`, wrapping round."""
    return [texts[(start + i) % len(texts)] for i in range(turns)]
