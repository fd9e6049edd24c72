"""Human handoff, and the answers to a message that could not be answered."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import continue_need_check, continue_topic, topic_in_play
from actions.common import (
    CONTACT_SLOT,
    FORM,
    FORMS_A_TICKET_ENDS,
    ON_HOLD_SLOT,
    PENDING_OFFER_SLOT,
    REASKED_SLOT,
    TICKET_CHANNELS,
    TICKET_SLOT,
    SafeAction,
    answer_not_understood,
    latest_text,
    offer_handoff_after_failure,
)
from actions.offers import offer_callback
from actions.settings import handoff_hours, settings
from licence.followups import continues_topic
from zhtext.replies import is_bare_yes_no

# Channels where a person takes the conversation over. On WeChat the reply is
# the transfer to the Official Account's customer service (客服): domain.yml's
# wechat variation of utter_human_handoff carries the payload the channel turns
# into it, and the bot pauses until staff resume it or HANDOFF_TIMEOUT_MIN passes
# (channels/handoff.py). In the widget the handoff is a ticket (TICKET_CHANNELS):
# who answers and when, then handoff_form asks for a contact and
# action_handoff_ticket pauses. Elsewhere (REST, the shell) nobody could answer
# the user: they get the contacts and the bot keeps answering.
PAUSING_CHANNELS = frozenset({"wechat"})


class ActionHumanHandoff(SafeAction):
    """The contacts of the human advisers (configuration); on WeChat the
    transfer to the customer service and the bot's pause; in the widget a
    ticket (``handoff_ticket`` true: the rules run handoff_form next).

    In the widget a ticket is opened inside the eligibility interview or the
    need check too: the rules then end that form (``action_deactivate_loop``;
    Rasa runs one form at a time, and handoff_form must run next). The answers
    stay in their slots, and the interview is put on hold
    (``interview_on_hold``) so that its next start resumes it. Elsewhere the
    form goes on after the contacts, as its rule says."""

    def name(self) -> Text:
        return "action_human_handoff"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        conf = settings()
        channel = tracker.get_latest_input_channel()
        # Asking for a person answers any open offer (of a human, an assessment).
        # Both slots always set, as every rule with this action says (Rasa's rule check).
        events: List[EventType] = [SlotSet(PENDING_OFFER_SLOT, None)]
        form = tracker.active_loop_name
        if channel in TICKET_CHANNELS and (not form or form in FORMS_A_TICKET_ENDS):
            dispatcher.utter_message(response="utter_handoff_ticket", hours=handoff_hours(domain))
            if form == FORM:
                events.append(SlotSet(ON_HOLD_SLOT, True))
            return events + [
                SlotSet(TICKET_SLOT, True),
                SlotSet(CONTACT_SLOT, None),
                SlotSet(REASKED_SLOT, False),
            ]
        events.append(SlotSet(TICKET_SLOT, False))
        dispatcher.utter_message(
            response="utter_human_handoff",
            phone=conf.handoff_phone,
            wechat=conf.handoff_wechat,
            hours=handoff_hours(domain),
        )
        if channel in PAUSING_CHANNELS:
            events.append(ConversationPaused())
        return events


class ActionOutOfScope(SafeAction):
    """Outside the interview, a question outside the licence: what the bot covers,
    and after a second failed answer in a row the offer of a human."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        described = continue_need_check(dispatcher, tracker, latest_text(tracker))
        if described is not None:
            # "只接自己家客户的电话" after the need answer: that business checked
            return described
        dispatcher.utter_message(response="utter_out_of_scope")
        return offer_handoff_after_failure(dispatcher, tracker)


class ActionUnclear(SafeAction):
    """A message the NLU could not place: a blank one gets a prompt to type a
    question; a short question or statement of the user's situation right after
    an answer gets that answer's topic ("线上办吗" after the process, "我们港方占70%"
    after foreign investment); a message that names nothing of the licence's
    domain ("客服KPI一般怎么定", "阿斯顿发送到发") the out-of-scope answer, which says
    what the bot can help with; anything else the usual "please rephrase". Either
    failure comes with the offer of a human when the previous answer failed too."""

    def name(self) -> Text:
        return "action_unclear"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        if not text.strip():
            dispatcher.utter_message(response="utter_empty_message")
            return []
        described = continue_need_check(dispatcher, tracker, text)
        if described is not None:
            return described
        topic = topic_in_play(tracker)
        if topic is not None and continues_topic(text):
            # the cost answer again ("为啥这么贵"): with the call-back offer
            return continue_topic(dispatcher, tracker, topic, text) + offer_callback(dispatcher, tracker)
        return answer_not_understood(dispatcher, tracker, text)


class ActionIdleReply(SafeAction):
    """A yes or a no when no offer or question is pending. One that says more
    than yes or no and reads as the user's situation continues the answer just
    given: "就是按坐席收租金那种" after the need answer checks that business,
    "我们其实没赚到啥钱" after the penalty answer hears that answer again for
    them. A bare one gets the idle prompt."""

    def name(self) -> Text:
        return "action_idle_reply"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        if not is_bare_yes_no(text):
            described = continue_need_check(dispatcher, tracker, text)
            if described is not None:
                return described
            topic = topic_in_play(tracker)
            if topic is not None and continues_topic(text):
                return continue_topic(dispatcher, tracker, topic, text)
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        if intent == "deny":
            dispatcher.utter_message(response="utter_deny_idle")
        else:
            dispatcher.utter_message(response="utter_affirm_idle")
        return []
