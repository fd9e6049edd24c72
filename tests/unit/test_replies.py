"""How replies read: yes/no, "don't know", questions, and a bare yes/no."""

from __future__ import annotations

import datetime as dt

import pytest

from zhtext.replies import is_bare_yes_no, is_question, is_unknown, parse_yes_no


# --- yes / no, unknown, questions -------------------------------------------

YES = (
    "有 是 是的 对 对的 嗯 好 可以 yes Yes 有的 已经有了 当然 肯定 有过 应该有 我们公司有 没问题 有,租的 "
    # colloquial; 没毛病/没得问题/没跑 start with 没 but mean yes
    "没毛病 沒得問題 没跑 木问题 冇问题 对头 对对对 好嘞 要得 阔以 那必须的 一點沒錯 yup"
).split()
NO = (
    "没有 没 没得 无 不是 不 否 no NO 木有 还没 暂时没有 还没有呢 没有的 我们公司没有 正在准备 "
    # 当然没有 is no although 当然 alone is yes
    "当然没有 压根没有 一个都没有 那倒没有 莫得 米有 冇有 唔系 並不是 用不着 nah"
).split()


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["不清楚", "不知道", "很多", "500万", "行业", "now", "", "广东"])
def test_not_yes_no(text: str) -> None:
    assert parse_yes_no(text) is None


@pytest.mark.parametrize(
    "text",
    "不清楚 不知道 不确定 不太清楚 不了解 没查过 说不好 不晓得 忘了 idk IDK 我也不知道 "
    "不造 没印象 说不上来 心里没底 答不出來 天晓得 问倒我了 等我问完同事再回你 不知 唔知 晓不得".split()
    + ["no idea", "beats me", "not certain, finance would know", "unsure", "let me check with my boss"],
)
def test_unknown(text: str) -> None:
    assert is_unknown(text)


@pytest.mark.parametrize("text", ["有", "没有", "知道", "清楚的", "500万"])
def test_not_unknown(text: str) -> None:
    assert not is_unknown(text)


@pytest.mark.parametrize(
    "text",
    [
        "注册资本要多少？",
        "注册资本要多少?",
        "需要什么材料",
        "外资可以吗",
        "那全网呢",
        "有没有要求",
        "是不是要社保",
        "能不能先申请",
        "是否需要办公室",
        "需要几个人",
        "怎么办理",
        "哪些材料",
        "What is B24",
        # A or B, a clause ending in 不, 有X没, asking for confirmation
        "全网那一千万是实缴还是认缴",
        "该找工信部还是通管局啊",
        "影响拿证不",
        "春节前证能办下来不",
        "违规记录有影响没",
        "年报交了没",
        "办地网就够了吧",
        # 谁, 咋, 哪 + anything, Cantonese
        "发证机关是谁",
        "咋申请",
        "最晚哪天出结果",
        "年報遲交咗會點樣",
        "申請會唔會被拒",
        "注冊資本係咪一定要實繳",
        "呼叫中心許可係邊個部門批",
        # English without a question word
        "can we use a rented cloud system instead of our own",
        "is there a minimum retention period",
        "does 地网 cover just 1 province",
        "ok do u need 社保 for all agents",
        "who issues it",
    ],
)
def test_question(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "还没有呢",
        "不知道呢",
        "有的",
        "没有没有",
        "好几个省",
        "十几个人",
        "没什么问题",
        "全国的业务",
        "500万",
        "",
        # statements that look like the new forms
        "场地没有",
        "外资没有，全是内资",
        "还没",
        "从来不",
        "本来不",
        "我们也不",
        "暂时没",
        "还是要办全网",
        "现在还是个体户",
        "认缴一百万，实缴还是零",
        "好吧",
        "行吧",
        "算了吧",
        "哪有",
        "谁都知道",
        "不咋地",
        "we have 20 agents",
        "it's a JV with a japanese partner",
        "our annual report was late",
    ],
)
def test_not_question(text: str) -> None:
    assert not is_question(text)


@pytest.mark.parametrize("text", ["不知", "唔知"])
def test_a_short_dont_know_is_not_read_as_no(text: str) -> None:
    # "不知" once read as 否: "not on the dishonest list" was stored
    assert parse_yes_no(text) is None and is_unknown(text)
    found = parsing_extract(text)
    assert found == {"on_dishonest_list": "unknown"}


def parsing_extract(text: str) -> dict:
    from licence.extract import extract_answers

    return extract_answers(text, "on_dishonest_list", dt.date(2026, 11, 27)).values


@pytest.mark.parametrize(
    "text, bare",
    [
        ("没有", True),
        ("有的", True),
        ("还没呢", True),
        ("嗯呢!!", True),
        ("是的是的", True),
        ("我们没有", True),
        ("no", True),
        ("没有场地", False),
        ("没有外资", False),
        ("有，租的", False),
        ("不知", False),
        ("nope, we don't", False),
        ("", False),
    ],
)
def test_a_bare_yes_or_no_is_told_from_an_answer_with_content(text: str, bare: bool) -> None:
    assert is_bare_yes_no(text) is bare
