"""patches/console_buttons.py: typed text is kept while buttons show; a number picks one."""

from __future__ import annotations

import rasa.core.channels.console as console

from patches import console_buttons

BUTTONS = [{"title": "按地网评估", "payload": "好的"}, {"title": "不用了", "payload": "不用了"}]


def test_a_number_picks_that_button() -> None:
    assert console_buttons.reply_for("2", BUTTONS) == "不用了"
    assert console_buttons.reply_for(" 1 ", BUTTONS) == "好的"


def test_typed_text_is_kept() -> None:
    assert console_buttons.reply_for("全国都做", BUTTONS) == "全国都做"
    assert console_buttons.reply_for("3", BUTTONS) == "3"  # no third button: a number answer


def test_buttons_are_listed_with_numbers() -> None:
    assert console_buttons.button_lines(BUTTONS) == ["1. 按地网评估", "2. 不用了"]


def test_apply_replaces_the_console_reader_and_undo_restores_it() -> None:
    original = console._get_user_input
    console_buttons.apply()
    try:
        assert console._get_user_input is console_buttons._get_user_input
    finally:
        console_buttons.undo()
    assert console._get_user_input is original
