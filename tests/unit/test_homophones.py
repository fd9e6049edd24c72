"""zhtext/homophones.py: pinyin-input slips in domain words, and real words left alone."""

from __future__ import annotations

import pytest

from zhtext.homophones import correct_homophones
from zhtext.normalise import normalise


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("注测资本一百万", "注册资本一百万"),
        ("变跟法人需要什么时间内办", "变更法人需要什么时间内办"),  # gen for geng
        ("申请条见有哪些", "申请条件有哪些"),
        ("材聊都有啥", "材料都有啥"),
        ("是不是先网上填抱再等审和", "是不是先网上填报再等审核"),
        ("我们4个人交社报", "我们4个人交社保"),
        ("续其要多久", "续期要多久"),
        ("呼叫中心许可正申请条件", "呼叫中心许可证申请条件"),
    ],
)
def test_slips_are_corrected(typed: str, meant: str) -> None:
    assert correct_homophones(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "我们办公室租的",  # 公室 reads like 公司 but is part of 办公室
        "至少得有几个人缴社保",  # not 认缴
        "我们是集团下面的全资子公司",  # 资子 is no 资质
        "许可证是纸质的还是电子的",
        "帮我写个Excel公式",
        "假如是合资公司呢",
        "流程上有没有公示环节",
        "注册资本要多少",
    ],
)
def test_real_words_are_left_alone(text: str) -> None:
    assert correct_homophones(text) == text


def test_normalise_corrects_after_converting_the_script() -> None:
    assert normalise("注測資本一百萬") == "注册资本一百万"
