"""Rasa custom actions: thin glue between the dialogue and the ``licence`` package.

Importing this package is what starts the action server, so the rule set is
checked here: a broken licence/ruleset.yml stops the server at start, with a
message naming the entry, instead of failing in the middle of a conversation.
"""

from licence.ruleset_loader import check_ruleset

check_ruleset()
