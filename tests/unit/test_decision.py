"""licence/decision.py: where the text overrules the classifier's label, as a table."""

from __future__ import annotations

import pytest

from licence.decision import Decision, Signals, decide_intent


FACT = dict(states_fact=True)
TOPIC = dict(likely_faq_topic=True)
OTHER = dict(names_only_another_licence=True)
NEAR_OOS = dict(nearest_intent="out_of_scope")


@pytest.mark.parametrize(
    "text, intent, signals, decided, rule",
    [
        # unreadable: out of scope whatever the label, even a yes in the interview
        ("啊啊啊啊啊", "affirm", {}, "out_of_scope", "unreadable"),
        ("😂😂😂", "greet", {}, "out_of_scope", "unreadable"),
        # another licence named and nothing of ours: the licence decides
        ("我们做网店的，需要办EDI证吗", "check_need", OTHER, "out_of_scope", "another_licence"),
        ("EDI证注册资本是认缴还是实缴", "faq", OTHER, "out_of_scope", "another_licence"),
        # ...and the classifier's own out of scope, confirmed (certain: never read in context)
        ("劳务派遣证在哪里办", "out_of_scope", OTHER, "out_of_scope", "another_licence"),
        # a near-domain subject the brief does not cover, unless the licence is named
        ("坐席一般底薪多少", "out_of_scope", {}, "out_of_scope", "near_domain"),
        ("400电话怎么申请啊", "faq", {}, "out_of_scope", "near_domain"),
        ("通管局今年招考公务员吗", "faq", {}, "out_of_scope", "near_domain"),
        ("做客服这行发展前景怎么样", "faq", {}, "out_of_scope", "near_domain"),
        ("话务质检一般抽多少通", "faq", {}, "out_of_scope", "near_domain"),
        ("外包客服每个坐席一个月报价多少", "faq", {}, "out_of_scope", "near_domain"),
        ("小公司找代账一年多少钱", "faq", {}, "out_of_scope", "near_domain"),
        ("试用期辞退要赔钱吗", "faq", {}, "out_of_scope", "near_domain"),
        ("400电话可以呼转到手机吗", "faq", {}, "out_of_scope", "near_domain"),
        ("老接到推销电话 怎么举报", "faq", {}, "out_of_scope", "near_domain"),
        ("外包报价一般按通话还是按坐席", "faq", {}, "out_of_scope", "near_domain"),
        ("去澳门要办港澳通行证吗", "faq", {}, "out_of_scope", "near_domain"),
        ("B21要什么条件", "faq", {}, "out_of_scope", "another_licence"),
        # ...but the licence's own price stays the licence's
        ("呼叫中心证办下来要花多少钱", "faq", {}, "faq", None),
        ("客服坐席一般一个月工资多少", "faq", {}, "out_of_scope", "near_domain"),
        ("呼叫中心软件买哪家的好", "faq", {}, "out_of_scope", "near_domain"),
        ("我们公司座机被标记成骚扰电话了 怎么取消标记", "faq", {}, "out_of_scope", "near_domain"),
        ("我们有400电话接咨询，需要办呼叫中心证吗", "check_need", {}, "check_need", None),
        ("坐席的社保单位要交多少比例", "faq", {}, "out_of_scope", "near_domain"),
        ("客服团队离职率很高有什么办法吗", "faq", {}, "out_of_scope", "near_domain"),
        ("公司怎么注销啊", "faq", {}, "out_of_scope", "near_domain"),
        ("许可证怎么注销", "faq", {}, "faq", None),
        ("注册个新公司要什么材料", "faq", {}, "out_of_scope", "near_domain"),
        ("asterisk和freeswitch哪个好", "faq", {}, "out_of_scope", "near_domain"),
        ("用freeswitch自建的呼叫中心要办证吗", "check_need", {}, "check_need", None),
        ("香港公司要先在内地注册公司吗", "faq", {}, "faq", None),
        ("客服KPI一般怎么定", "faq", {}, "out_of_scope", "near_domain"),
        # near-domain kinds: a robot caller's or software's price, a vendor, a carrier's
        # line or trunk, headsets and equipment, the authority's office hours, address
        # and phone, agents' pay, KPIs, hiring and training, a 400 number's papers, a
        # number blocked by a carrier
        ("智能语音机器人报价大概多少", "faq", {}, "out_of_scope", "near_domain"),
        ("云客服软件一年收费多少", "faq", {}, "out_of_scope", "near_domain"),
        ("客服系统选哪个牌子", "faq", {}, "out_of_scope", "near_domain"),
        ("哪家的电销机器人好用", "faq", {}, "out_of_scope", "near_domain"),
        ("移动的sip线路稳定吗", "faq", {}, "out_of_scope", "near_domain"),
        ("联通的专线一个月多少钱", "faq", {}, "out_of_scope", "near_domain"),
        ("办公室拉一条宽带找哪家", "human_handoff", {}, "out_of_scope", "near_domain"),
        ("坐席耳麦买哪种比较耐用", "faq", {}, "out_of_scope", "near_domain"),
        ("坐席用的电脑配置要求高吗", "faq", {}, "out_of_scope", "near_domain"),
        ("呼叫中心装修预算多少", "faq", {}, "out_of_scope", "near_domain"),
        ("企业微信怎么开通客服功能", "faq", {}, "out_of_scope", "near_domain"),
        ("省通信管理局周六上班吗", "faq", {}, "out_of_scope", "near_domain"),
        ("通管局办事大厅怎么走", "faq", {}, "out_of_scope", "near_domain"),
        ("工信部热线是多少", "faq", {}, "out_of_scope", "near_domain"),
        ("话务员一个月能拿多少奖金", "faq", {}, "out_of_scope", "near_domain"),
        ("坐席的考核指标怎么设", "faq", {}, "out_of_scope", "near_domain"),
        ("电销一天打几通算正常", "human_handoff", {}, "out_of_scope", "near_domain"),
        ("招一批电销员工有什么渠道", "human_handoff", {}, "out_of_scope", "near_domain"),
        ("新来的坐席怎么培训比较快", "faq", {}, "out_of_scope", "near_domain"),
        ("400号码能不能过户给别的公司", "faq", {}, "out_of_scope", "near_domain"),
        ("开个400热线要带什么资料", "faq", {}, "out_of_scope", "near_domain"),
        ("外呼的卡老是被停机怎么回事", "faq", {}, "out_of_scope", "near_domain"),
        ("号码被手机管家标成骚扰了咋办", "faq", {}, "out_of_scope", "near_domain"),
        ("运营商乱扣费去哪投诉", "faq", {}, "out_of_scope", "near_domain"),
        ("工信部怎么联系", "faq", {}, "out_of_scope", "near_domain"),
        ("通管局电话多少", "faq", {}, "out_of_scope", "near_domain"),
        ("坐席一个月挣多少", "faq", {}, "out_of_scope", "near_domain"),
        ("电话机器人哪里买", "faq", {}, "out_of_scope", "near_domain"),
        ("号码被客户拉黑了怎么办", "faq", {}, "out_of_scope", "near_domain"),
        ("外呼软件厂家哪个靠谱", "faq", {}, "out_of_scope", "near_domain"),
        ("来电老显示成营销电话怎么办", "faq", {}, "out_of_scope", "near_domain"),
        ("坐席人员流动性大有什么办法", "faq", {}, "out_of_scope", "near_domain"),
        ("客服团队如何管理才高效", "faq", {}, "out_of_scope", "near_domain"),
        ("电销卡哪儿能办到", "faq", {}, "out_of_scope", "near_domain"),
        ("工单系统能和外呼对接吗", "faq", {}, "out_of_scope", "near_domain"),
        ("话务员坐的椅子选哪种", "faq", {}, "out_of_scope", "near_domain"),
        ("通管局星期天开门吗", "faq", {}, "out_of_scope", "near_domain"),
        ("坐席电脑什么牌子耐用", "faq", {}, "out_of_scope", "near_domain"),
        ("外呼中继找哪家运营商办", "faq", {}, "out_of_scope", "near_domain"),
        # 认证 names no licence, though it holds 证
        ("外呼号码认证怎么弄", "faq", {}, "out_of_scope", "near_domain"),
        # ...but the licence's own questions next to them stay questions
        ("办这个证要多少钱", "faq", {}, "faq", None),
        ("通信管理局受理要几天", "faq", {}, "faq", None),
        ("外呼要用户同意吗", "faq", {}, "faq", None),
        ("95号码怎么申请", "faq", {}, "faq", None),
        ("呼叫中心系统可以租用吗", "faq", {}, "faq", None),
        ("办公场地需要多大", "faq", {}, "faq", None),
        ("通管局上班时间能现场交材料吗", "faq", {}, "faq", None),
        ("代办费一般多少", "faq", {}, "faq", None),
        ("通管局会打电话核实吗", "faq", {}, "faq", None),
        # ...and one that names the 95/96 numbers or the conditions asks about the licence
        ("95号码要找哪个运营商接入", "faq", {}, "faq", None),
        ("系统花多少钱才能申请", "faq", {}, "faq", None),
        ("咋就不达标了", "ask_why", {}, "ask_why", None),
        ("被列入黑名单能办吗", "faq", {}, "faq", None),
        ("我们把外呼系统按坐席月租给客户，要不要办", "check_need", {}, "check_need", None),
        ("有企业微信吗", "human_handoff", {}, "human_handoff", None),
        ("你是哪家做的机器人", "bot_challenge", {}, "bot_challenge", None),
        # a licence the EntityRuler does not know, named in words, and nothing of ours
        ("Office许可快到期了咋续", "faq", {}, "out_of_scope", "another_licence"),
        ("做群发短信要办什么资质", "check_need", {}, "out_of_scope", "another_licence"),
        (
            "用短信平台通知客户，要办呼叫中心证吗",
            "check_need",
            dict(names_own_licence=True),
            "check_need",
            None,
        ),
        # a question about hiring agents is no request for a person...
        ("招电话客服去哪个平台招人比较快", "human_handoff", {}, "out_of_scope", "near_domain"),
        # ...but one that asks for a person is
        ("转人工，我想问招聘的事", "human_handoff", {}, "human_handoff", None),
        # nearest in meaning to an out-of-scope example, and nothing of the domain in it
        ("番茄炒蛋先放蛋还是先放番茄", "deny", NEAR_OOS, "out_of_scope", "unrelated"),
        ("translate 'thank you very much' into Japanese", "thank", NEAR_OOS, "out_of_scope", "unrelated"),
        ("AAPL stock price today?", "faq", NEAR_OOS, "out_of_scope", "unrelated"),
        ("明天香港天气点呀", "check_eligibility", NEAR_OOS, "out_of_scope", "unrelated"),
        # the classifier's own out-of-scope label, confirmed (and so never read
        # in context as a follow-up); a city named in it is no fact of the company
        ("今天天气怎么样", "out_of_scope", NEAR_OOS, "out_of_scope", "unrelated"),
        (
            "帮我订一张去上海的高铁票",
            "out_of_scope",
            dict(nearest_intent="out_of_scope", states_fact=True),
            "out_of_scope",
            "unrelated",
        ),
        # the classifier's out of scope, with its likeliest fine label, and nothing of
        # the licence named: certain, whatever the nearest example (a word of the
        # business in passing, or of doing something, ties it to nothing)
        (
            "客服同事过生日送什么礼物好",
            "out_of_scope",
            dict(top_fine_labels=("out_of_scope", "inform")),
            "out_of_scope",
            "off_topic",
        ),
        (
            "公司对公账户被冻住了怎么办",
            "out_of_scope",
            dict(top_fine_labels=("out_of_scope",), nearest_intent="faq"),
            "out_of_scope",
            "off_topic",
        ),
        (
            "2+3等于几",
            "out_of_scope",
            dict(top_fine_labels=("out_of_scope",), nearest_intent="affirm"),
            "out_of_scope",
            "off_topic",
        ),
        # ...but not when the fine label says otherwise, a topic or a licence is named,
        # it asks a facet alone or is a bare reply
        (
            "那电商也算吗",
            "out_of_scope",
            dict(top_fine_labels=("faq/who_needs", "out_of_scope")),
            "out_of_scope",
            None,
        ),
        (
            "社保断了一个月有影响吗",
            "out_of_scope",
            dict(top_fine_labels=("out_of_scope", "faq/staff")),
            "out_of_scope",
            None,
        ),
        ("这个证能转让吗", "out_of_scope", dict(top_fine_labels=("out_of_scope",)), "out_of_scope", None),
        ("要多久", "out_of_scope", dict(top_fine_labels=("out_of_scope",)), "faq", "facet_question"),
        ("300", "out_of_scope", dict(top_fine_labels=("out_of_scope",)), "out_of_scope", None),
        ("客服同事过生日送什么礼物好", "faq", dict(top_fine_labels=("out_of_scope",)), "faq", None),
        # ...but not one of the licence's domain, nor a possible interview answer
        ("注册资本不够怎么办", "out_of_scope", NEAR_OOS, "out_of_scope", None),
        ("没有", "out_of_scope", NEAR_OOS, "out_of_scope", None),
        # ...unless it names the licence, a topic of it, or states a fact
        ("这个证的天花板在哪", "faq", NEAR_OOS, "faq", None),
        ("年报在哪交", "faq", NEAR_OOS, "faq", None),
        ("股东变了要干嘛", "faq", dict(nearest_intent="out_of_scope", names_own_licence=True), "faq", None),
        ("外呼怎么弄", "faq", NEAR_OOS, "faq", None),
        ("我们在深圳", "inform", dict(nearest_intent="out_of_scope", states_fact=True), "inform", None),
        # ...or asks one facet alone: a follow-up of the last answer
        ("要點改", "faq", NEAR_OOS, "faq", None),
        ("不交会怎样", "deny", NEAR_OOS, "faq", "facet_question"),
        # ...or may be an interview answer
        ("800", "inform", NEAR_OOS, "inform", None),
        ("没有", "deny", NEAR_OOS, "deny", None),
        # ...and a nearest example of another intent changes nothing
        ("番茄炒蛋先放蛋还是先放番茄", "deny", dict(nearest_intent="deny"), "deny", None),
        # a question on a topic of the licence, taken for out of scope
        (
            "内地子公司注册资本要多少",
            "out_of_scope",
            dict(top_fine_labels=("faq/capital",)),
            "faq",
            "domain_question",
        ),
        (
            "社保要交几个月？",
            "out_of_scope",
            dict(top_fine_labels=("faq/staff", "out_of_scope")),
            "faq",
            "domain_question",
        ),
        # ...unless its likeliest fine label is out of scope too, it asks nothing,
        # it names another licence or a near-domain subject (which decide it for certain)
        (
            "社保一般要交满几个月才能申请？",
            "out_of_scope",
            dict(top_fine_labels=("out_of_scope", "faq/staff")),
            "out_of_scope",
            None,
        ),
        (
            "内地子公司注册资本认缴了",
            "out_of_scope",
            dict(top_fine_labels=("faq/capital",)),
            "out_of_scope",
            None,
        ),
        (
            "IDC证注册资本要多少",
            "out_of_scope",
            dict(top_fine_labels=("faq/capital",), names_only_another_licence=True),
            "out_of_scope",
            "another_licence",
        ),
        (
            "坐席的社保单位要交多少比例",
            "out_of_scope",
            dict(top_fine_labels=("faq/staff",)),
            "out_of_scope",
            "near_domain",
        ),
        # a request for a person that reads like a greeting
        ("人工在吗", "greet", {}, "human_handoff", "person_request"),
        ("hi, can I talk to a human", "greet", {}, "human_handoff", "person_request"),
        ("人工客服外包需要办证吗", "check_need", {}, "check_need", None),
        ("呼叫中心系统要自建吗", "faq", {}, "faq", None),
        # ...but a statement about another licence is left alone
        ("我们已经有ICP证了", "inform", OTHER, "inform", None),
        # facet words alone make a question, whatever the label
        ("不报会怎样", "deny", {}, "faq", "facet_question"),
        ("要提前多久", "inform", {}, "faq", "facet_question"),
        ("要提前多久", "followup", {}, "followup", None),
        # a licence question taken for small talk is a licence question
        ("有加急不", "affirm", {}, "faq", "licence_question"),
        ("得先改了再报？", "goodbye", {}, "faq", "licence_question"),
        ("谢谢，年报在哪提交？", "thank", {}, "faq", "licence_question"),
        ("那只能重新申请？", "restart", {}, "faq", "licence_question"),
        # ...nor a stop of the interview, when it asks about the licence or one of its topics
        ("算了先问你吧，要多少注册资本", "stop_interview", {}, "faq", "licence_question"),
        ("我们业务停了大半年，还能续吗", "stop_interview", {}, "faq", "licence_question"),
        ("不做了怎么弄", "stop_interview", {}, "faq", "licence_question"),
        ("不做了，直接告诉我结果吗", "stop_interview", {}, "stop_interview", None),
        ("不想答了", "stop_interview", {}, "stop_interview", None),
        # a "why" naming the licence asks about it; one naming none asks about the bot
        ("为啥现在招投标老要这个证", "ask_why", {}, "faq", "licence_question"),
        ("为什么要问注册资本", "ask_why", {}, "ask_why", None),
        ("为什么还没结果", "ask_why", {}, "ask_why", None),
        # a question about the user's own figure is no yes, however it ends
        ("要是增资到一千万就够了对吧", "affirm", FACT, "faq", "figure_question"),
        ("对吧", "affirm", FACT, "affirm", None),
        ("好的，就800万", "affirm", FACT, "affirm", None),
        # "what if we don't" is a facet question, not a no
        ("不办呢", "deny", {}, "faq", "facet_question"),
        ("重新开始吧", "restart", {}, "restart", None),
        # ...but small talk stays small talk, a question or not
        ("你好，在吗", "greet", {}, "greet", None),
        ("可以吗", "affirm", {}, "affirm", None),
        ("好的，我们去办", "affirm", {}, "affirm", None),
        ("谢谢，还有别的要注意吗", "thank", {}, "thank", None),
        # a question that carries a fact, or has a likely topic, is answered first
        ("注册资本才80万，办省内的够吗", "check_eligibility", FACT, "faq", "answer_first"),
        ("我们是分公司能申请吗", "check_eligibility", TOPIC, "faq", "answer_first"),
        # a need question with facts that asks something else is answered first
        (
            "我们只在江苏做，得去工信部办？",
            "check_need",
            dict(states_fact=True, likely_faq_topic=True),
            "faq",
            "answer_first",
        ),
        (
            "我们在江苏做外包客服，需要办证吗",
            "check_need",
            dict(states_fact=True, likely_faq_topic=True),
            "check_need",
            None,
        ),
        ("做外包客服要办什么证", "check_need", TOPIC, "check_need", None),
        # several interview answers, then whether the company can apply at all: the interview
        (
            "我们公司在广州，注册资本200万，有5个人交社保，经营范围有增值电信业务。能申请地网吗",
            "faq",
            dict(states_fact=True, likely_faq_topic=True, stated_answers=4),
            "check_eligibility",
            "described_assessment",
        ),
        (
            "我们是北京的有限公司 注册资本500万 6个人社保 经营范围有增值电信 够条件吗",
            "inform",
            dict(states_fact=True, stated_answers=5),
            "check_eligibility",
            "described_assessment",
        ),
        # ...but not when it asks one topic, or states too little to assess
        (
            "我们在深圳，注册资本500万，5个人社保，能申请吗 材料要哪些",
            "faq",
            dict(states_fact=True, likely_faq_topic=True, stated_answers=3),
            "faq",
            None,
        ),
        ("注册资本200万，能申请地网吗", "faq", dict(states_fact=True, stated_answers=1), "faq", None),
        # asking to be assessed in so many words starts the interview
        ("帮我评估一下，注册资本500万能办吗", "check_eligibility", FACT, "check_eligibility", None),
        ("can we qualify with 5 million capital?", "check_eligibility", FACT, "check_eligibility", None),
        # a statement of facts (no question) is decided with the conversation
        ("我们注册资本500万，有10个人交社保", "check_eligibility", FACT, "inform", "facts_statement"),
        ("我们就5个人交社保", "check_eligibility", FACT, "inform", "facts_statement"),
        # ...unless it asks to be assessed, or states nothing
        ("帮我评估一下，我们注册资本500万", "check_eligibility", FACT, "check_eligibility", None),
        ("我们公司想申请呼叫中心证", "check_eligibility", {}, "check_eligibility", None),
        # a question without facts or a likely topic is a request to be assessed
        ("我们能办吗", "check_eligibility", {}, "check_eligibility", None),
        # a long statement that describes the company and ends in a question
        (
            "我们是成都的一家小公司，目前3个人在公司交社保。请问这样社保人数能满足办证要求吗？",
            "inform",
            dict(states_fact=True, likely_faq_topic=True),
            "faq",
            "answer_first",
        ),
        # ...but a short one is an interview answer, and a statement stays one
        ("应该有吧？", "inform", TOPIC, "inform", None),
        (
            "我们注册资本500万，有10个人交社保，场地也有",
            "inform",
            dict(states_fact=True, likely_faq_topic=True),
            "inform",
            None,
        ),
        # a long message that describes the company, then asks one thing on one topic
        (
            "我们是做金融客服外包的，条件都准备好了。想问从递交材料到拿证大概需要多长时间？",
            "check_eligibility",
            dict(
                last_question="想问从递交材料到拿证大概需要多长时间？",
                last_question_topic="faq/timeline",
                top_fine_labels=("check_eligibility", "faq/timeline", "check_need"),
            ),
            "faq",
            "described_question",
        ),
        # ...when the whole message hints at that topic too
        (
            "我们是做金融客服外包的，条件都准备好了。想问从递交材料到拿证大概需要多长时间？",
            "check_eligibility",
            dict(
                last_question="想问从递交材料到拿证大概需要多长时间？",
                last_question_topic="faq/timeline",
                top_fine_labels=("check_eligibility", "check_need", "inform"),
            ),
            "check_eligibility",
            None,
        ),
        # ...but not when that question asks whether the licence is needed, or to be assessed
        (
            "我们在东莞给游戏公司做玩家客服。想确认我们这个业务是不是必须要办？",
            "check_need",
            dict(last_question="想确认我们这个业务是不是必须要办？", last_question_topic="faq/who_needs"),
            "check_need",
            None,
        ),
        (
            "我们注册资本800万，社保10个人。帮我评估一下能不能办？",
            "check_eligibility",
            dict(last_question="帮我评估一下能不能办？", last_question_topic="faq/conditions"),
            "check_eligibility",
            None,
        ),
        # other labels are kept
        ("注册资本要多少？", "faq", FACT, "faq", None),
    ],
)
def test_decide_intent(text: str, intent: str, signals: dict, decided: str, rule) -> None:
    assert decide_intent(Signals(text=text, intent=intent, **signals)) == Decision(decided, rule)
