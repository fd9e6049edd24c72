"""`rasa data validate`, made exact for this project; fails on any real warning.

Rasa 3.6's validator warns about two things that are not problems here, and
cannot be told otherwise:
1. "The utterance 'X' is not used in any story or rule" for responses that a form
   asks with (utter_ask_<slot>), that a custom action sends
   (``dispatcher.utter_message(response=...)``) or that a default action sends
   (utter_restart): the validator does not look at forms' asks or at action code. This script checks those responses the way the
   validator cannot: a response passes only if a form slot asks with it or the
   actions' source names it (an f-string such as f"utter_faq/{topic}" covers the
   responses it can produce). A response used nowhere still fails.
2. "duplicated intents have been found across multiple domain files: faq": the
   retrieval intent must be listed in domain.yml for rules to use it, and the
   importer adds it again from the NLU data when it merges the domain.
Every other warning or error fails the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WARNING = re.compile(r"UserWarning: (.*)")
UNUSED = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
RETRIEVAL_DUPLICATE = "The following duplicated intents have been found across multiple domain files: faq"
# Responses that Rasa's own default actions send (action_restart says utter_restart).
SENT_BY_DEFAULT_ACTIONS = {"utter_restart"}
RESPONSE_IN_CODE = re.compile(r"""response\s*=\s*(f?)["']([^"']+)["']""")


# Channels that answer by themselves name their responses as string literals.
RESPONSE_IN_CHANNELS = re.compile(r"""["'](utter_[a-z_]+)["']""")


def used_by_code() -> list[re.Pattern[str]]:
    patterns = []
    for source in (ROOT / "channels").rglob("*.py"):
        for name in RESPONSE_IN_CHANNELS.findall(source.read_text(encoding="utf-8")):
            patterns.append(re.compile("^" + re.escape(name) + "$"))
    for source in (ROOT / "actions").rglob("*.py"):
        for is_fstring, name in RESPONSE_IN_CODE.findall(source.read_text(encoding="utf-8")):
            if is_fstring:
                pieces = re.split(r"\{[^}]*\}", name)
                patterns.append(re.compile("^" + ".+".join(map(re.escape, pieces)) + "$"))
            else:
                patterns.append(re.compile("^" + re.escape(name) + "$"))
    return patterns


def asked_by_forms() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        f"utter_ask_{slot}"
        for form in (domain.get("forms") or {}).values()
        for slot in form.get("required_slots", [])
    }


def is_used(name: str, code: list[re.Pattern[str]], asks: set[str]) -> bool:
    if name in asks or name in SENT_BY_DEFAULT_ACTIONS:
        return True
    # a retrieval response family is reported by its prefix (utter_faq)
    return any(p.match(name) or p.match(f"{name}/x") for p in code)


def main() -> int:
    run = subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    code, asks = used_by_code(), asked_by_forms()
    problems, explained = [], 0
    lines = output.splitlines()
    for index, line in enumerate(lines):
        match = WARNING.search(line)
        if not match:
            if " ERROR " in line:
                problems.append(line.strip())
            continue
        message = match.group(1).strip()
        if not message.rstrip(":").strip() or message.endswith(":"):
            message += " " + " ".join(lines[index + 1 : index + 3]).strip()
        unused = UNUSED.search(message)
        if unused and is_used(unused.group(1), code, asks):
            explained += 1
            continue
        if message.startswith(RETRIEVAL_DUPLICATE):
            explained += 1
            continue
        problems.append(message)
    for problem in problems:
        print(f"  {problem}")
    if problems:
        print(f"rasa data validate: FAILED, {len(problems)} warning(s) or error(s)")
        return 1
    if run.returncode != 0 and explained == 0:
        print(output[-3000:])
        print("rasa data validate: FAILED")
        return 1
    print(f"rasa data validate: clean ({explained} known Rasa false positives checked and explained)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
