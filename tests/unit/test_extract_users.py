"""Reading interview answers out of messages as users write them: answers heard
when trying the bot, company descriptions from the NLU data, provinces by
abbreviation, and the words that name the applicant or its owners."""

from __future__ import annotations

import pytest

from licence.extract import extract_answers


# Answers heard when trying the bot as a user (2026-11-28).
@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("执照上写了第二类增值电信业务", "business_scope_ok", {"business_scope_ok": True}),
        ("执照上没有增值电信业务", "business_scope_ok", {"business_scope_ok": False}),
        ("用的第三方云呼叫中心", "has_call_centre_system", {"has_call_centre_system": True}),
        ("在上海租了办公室", "has_premises", {"has_premises": True}),
        ("制度和应急预案都写好了", "has_service_measures", {"has_service_measures": True}),
        # no number, but a count all the same
        ("暂时还没给员工交社保", "insured_staff", {"insured_staff": 0}),
        ("只有我自己交了", "insured_staff", {"insured_staff": 1}),
        # a question about the applicant's form is answered (the FAQ), not recorded
        ("个人独资企业算吗", "is_company", {}),
        ("请问什么算公司？", "is_company", {}),
        # a bare reply set off before a remark on another slot answers the question asked
        (
            "没有没有 我们一直合规经营的 信用好得很",
            "on_dishonest_list",
            {"on_dishonest_list": False, "violations_3y": False},
        ),
        # ...and its negation does not flip the remark after it
        ("没有 纯内资", "foreign_investment", {"foreign_investment": False}),
        # English negations
        ("no foreign shareholders", "foreign_investment", {"foreign_investment": False}),
        ("no system yet", "has_call_centre_system", {"has_call_centre_system": False}),
        # a limited partnership is a partnership, not a company
        ("合伙企业，有限合伙那种", "is_company", {"is_company": False}),
        # ...while a statement on another slot alone does not
        ("没有违规记录", "on_dishonest_list", {"violations_3y": False}),
    ],
)
def test_answers_heard_from_users(text: str, requested: str, expected: dict) -> None:
    assert extract_answers(text, requested).values == expected


# Statements written the way users describe their company (NLU data, 2026-11-28),
# each once read wrongly.
@pytest.mark.parametrize(
    "text, expected",
    [
        # an owner from outside the mainland is foreign investment, not a province
        ("有个美国股东占15%", {"foreign_investment": True}),
        ("日本合作方入了两成股", {"foreign_investment": True}),
        ("We're a WFOE, 100% foreign-owned", {"foreign_investment": True}),
        ("股东里有家澳门公司,持股四成左右", {"foreign_investment": True}),
        (
            "北京的有限公司,有个香港股东占两成",
            {"province": "北京", "is_company": True, "foreign_investment": True},
        ),
        ("我们在北京,没有境外股东", {"province": "北京", "foreign_investment": False}),
        # 自然人 here are the shareholders, not the applicant
        ("港澳台股东都没有,全是大陆自然人", {"foreign_investment": False}),
        # "less than half" is still a foreign share
        ("我們是中外合資,外方佔股不到一半", {"foreign_investment": True}),
        # the amount after 不是 is the one corrected away
        ("纠正一下,注册资本是三百万不是三千万", {"registered_capital": 300.0}),
        ("去年被通信管理局罚过一次", {"violations_3y": True}),
        # 一直 is not a head count of one
        ("社保一直交着6个人", {"insured_staff": 6}),
        # statements set off by spaces before a question are still answers
        (
            "我司在杭州 有场地有系统 资本500万 你看能不能申请",
            {
                "province": "浙江",
                "has_premises": True,
                "has_call_centre_system": True,
                "registered_capital": 500.0,
            },
        ),
        ("注册资本 500万 够吗", {"registered_capital": 500.0}),
        # several provinces under one name, and the country in English
        ("业务覆盖京津冀", {"coverage": "全网"}),
        ("We take calls from across the country", {"coverage": "全网"}),
        # a limited partnership is a partnership, not a limited company
        ("我们是有限合伙", {"is_company": False}),
        ("we were fined by the regulator in 2024", {"violations_3y": True}),
        # 着呢 ends a statement, not a question
        ("社保俩人交着呢", {"insured_staff": 2}),
        # a business scope said to hold something else only holds no telecom business
        ("我们执照经营范围只写了软件开发和技术服务", {"business_scope_ok": False}),
        ("经营范围只有增值电信业务", {"business_scope_ok": True}),
    ],
)
def test_company_descriptions(text: str, expected: dict) -> None:
    assert extract_answers(text, None).values == expected


def test_a_company_in_hong_kong_is_still_a_province_answer() -> None:
    assert extract_answers("香港", "province").values == {"province": "香港"}


# A province by its abbreviation in a compound word (沪企, 在京; provinces.yml).
@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("沪企", "province", {"province": "上海"}),
        ("驻京", "province", {"province": "北京"}),
        ("在浙", "province", {"province": "浙江"}),
        ("落户粤", "province", {"province": "广东"}),
        ("我们是沪企,注册资本500万", None, {"province": "上海", "registered_capital": 500.0}),
        ("苏企,有限公司", "is_company", {"province": "江苏", "is_company": True}),
        ("进京", "coverage", {"coverage": "地网", "province": "北京"}),
        ("只在沪做业务", "coverage", {"coverage": "地网", "province": "上海"}),
        ("公司在渝,只做本地", None, {"coverage": "地网", "province": "重庆"}),
        # the licence's province is not moved by an answer about the office
        ("有,在沪", "has_premises", {"has_premises": True}),
    ],
)
def test_province_abbreviation_in_a_compound(text: str, requested: str | None, expected: dict) -> None:
    assert extract_answers(text, requested).values == expected


@pytest.mark.parametrize(
    "text",
    [
        "申请",
        "正在申请",
        "阿里云",
        "用的阿里云的云呼叫中心",
        "黑名单",
        "不在黑名单上",
        "新公司",
        "在新注册的公司",
        "京东",
        "在京东上买的系统",
        "津贴",
        "在津贴方面",
        "吉利",
        "晋升",
        "鲁莽",
        "犹豫",
        "川流不息",
        "粤港澳",
        "在粤港澳大湾区",
        "东京企业",
        "台企",
    ],
)
@pytest.mark.parametrize("requested", [None, "province", "coverage", "is_company"])
def test_abbreviation_in_another_word_is_no_province(text: str, requested: str | None) -> None:
    assert "province" not in extract_answers(text, requested).values


@pytest.mark.parametrize("text", ["都是国内股东", "没有境外股东", "纯内资"])
def test_domestic_shareholders_mean_no_foreign_investment(text: str) -> None:
    assert extract_answers(text, "foreign_investment").values == {"foreign_investment": False}


@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("有个人信息保护制度", "has_service_measures", {"has_service_measures": True}),
        ("股东全是境内自然人", "foreign_investment", {"foreign_investment": False}),
        ("我是个人", "is_company", {"is_company": False}),
        ("我是个人，想办呼叫中心证", None, {"is_company": False}),
    ],
)
def test_individual_words_name_the_applicant_only_when_asked(text: str, requested, expected: dict) -> None:
    assert extract_answers(text, requested).values == expected


# Replies that say yes or no in the slot's own terms, with no yes/no word
# (licence/data/vocabulary.yml reply_cues). Written for this test, 2026-12-05.
@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("从来没上过", "on_dishonest_list", False),
        ("查过了 不在上面", "on_dishonest_list", False),
        ("好像被列过", "on_dishonest_list", True),
        ("上过，还没移出来", "on_dishonest_list", True),
        ("清清白白的", "on_dishonest_list", False),
        ("被约谈过一次", "violations_3y", True),
        ("前年被通报过", "violations_3y", True),
        ("一直守规矩", "violations_3y", False),
        ("从没出过事", "violations_3y", False),
        ("三年内没有", "violations_3y", False),
        ("we got fined once in 2024", "violations_3y", True),
        ("股东都是大陆人", "foreign_investment", False),
        ("我们是民营的", "foreign_investment", False),
        ("老板是台湾人", "foreign_investment", True),
        ("加上了", "business_scope_ok", True),
        ("经营范围只有软件开发", "business_scope_ok", False),
        ("经营范围只有增值电信业务", "business_scope_ok", True),
        ("还没加上", "business_scope_ok", False),
        ("租的共享办公", "has_premises", True),
        ("暂时在家办公", "has_premises", False),
        ("还在看房子", "has_premises", False),
        ("自己搭的", "has_call_centre_system", True),
        ("买的天润融通", "has_call_centre_system", True),
        ("正在谈供应商", "has_call_centre_system", False),
        ("还在选型", "has_call_centre_system", False),
        ("制度都写好了", "has_service_measures", True),
        ("这个还没想过", "has_service_measures", False),
        # a negation before a cue is the cue's; still looking means none either way
        ("还没买系统", "has_call_centre_system", False),
        ("正在跟供应商谈 还没定下来", "has_call_centre_system", False),
        ("还没找场地", "has_premises", False),
        ("在家办公，准备租", "has_premises", False),
        ("上过，去年移出了", "on_dishonest_list", False),
    ],
)
def test_replies_in_the_slots_own_terms(text: str, requested: str, expected: bool) -> None:
    assert extract_answers(text, requested).values.get(requested) is expected


@pytest.mark.parametrize(
    "text, requested",
    [
        ("自己搭的", "has_premises"),  # the system's words say nothing of the office
        ("暂时在家办公", "has_call_centre_system"),
        ("加上了", None),
        ("被约谈过一次", "on_dishonest_list"),
    ],
)
def test_a_slots_reply_words_count_only_while_its_question_is_open(text: str, requested) -> None:
    values = extract_answers(text, requested).values
    assert not {slot for slot in values if slot != requested} & {
        "has_call_centre_system",
        "has_premises",
        "business_scope_ok",
        "violations_3y",
    }
    assert requested is None or values.get(requested) is None


def test_the_head_office_named_in_a_reply_is_not_the_applicant() -> None:
    assert extract_answers("我们是分公司，总公司在北京", "is_company").values["is_company"] is False


@pytest.mark.parametrize(
    "text, requested, expected",
    [
        ("两个，下个月再加一个", "insured_staff", 2),
        ("现在200万，明年准备增资到1000万", "registered_capital", 200.0),
    ],
)
def test_a_planned_number_is_not_todays(text: str, requested: str, expected: object) -> None:
    assert extract_answers(text, requested).values[requested] == expected


def test_colloquial_replies_to_the_question_asked() -> None:
    assert extract_answers("廿五個", "insured_staff").values == {"insured_staff": 25}
    assert extract_answers("淨係做本地嘅生意", "coverage").values == {"coverage": "地网"}
