"""`rasa shell` for support staff: buttons as a numbered list, typing always allowed.

Rasa 3.6's console turns a message with buttons into a ``questionary.select``
menu: typed text is thrown away and Enter records the first option (a staff
member typing 全国都做 recorded 地网). This fix prints the buttons as a numbered
list under the text, as the WeChat channel does, and always reads free text;
a bare number picks that button's payload. End of input or Ctrl-C ends the
session without a traceback.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import questionary
import rasa.core.channels.console as console
from prompt_toolkit.styles import Style
from rasa.shared.utils.cli import print_color
from rasa.shared.utils.io import bcolors

_ORIGINAL = console._get_user_input


def button_lines(buttons: List[Dict[str, Any]]) -> List[str]:
    return [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]


def reply_for(text: str, buttons: List[Dict[str, Any]]) -> str:
    """The payload of button ``text`` when it is a button's number, else the text."""
    stripped = text.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        button = buttons[int(stripped) - 1]
        return str(button.get("payload") or button.get("title") or stripped)
    return stripped


async def _get_user_input(previous_response: Optional[Dict[str, Any]]) -> Optional[Text]:
    buttons: List[Dict[str, Any]] = []
    if previous_response is not None:
        buttons = list(previous_response.get("buttons") or [])
        shown = {k: v for k, v in previous_response.items() if k != "buttons"}
        console._print_bot_output(shown, is_latest_message=True)
        for line in button_lines(buttons):
            print_color(line, color=bcolors.OKBLUE)
    question = questionary.text(
        "", qmark="Your input ->", style=Style([("qmark", "#b373d6"), ("", "#b373d6")])
    )
    try:
        response = await question.unsafe_ask_async()
    except (EOFError, KeyboardInterrupt):
        return None
    return reply_for(response, buttons) if response is not None else None


def apply() -> None:
    console._get_user_input = _get_user_input


def undo() -> None:
    console._get_user_input = _ORIGINAL
