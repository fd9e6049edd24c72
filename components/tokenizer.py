"""Jieba tokenizer that drops whitespace-only tokens (Rasa issue 7910).

Rasa's ``JiebaTokenizer`` keeps the spaces of mixed Chinese/English text ("B24 许可证")
as tokens; they become features of their own and shift the classifiers. This
subclass filters them out and otherwise behaves exactly like its parent, including
loading the user dictionary directory given as ``dictionary_path``.
"""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CleanJiebaTokenizer(JiebaTokenizer):
    """``JiebaTokenizer`` without whitespace tokens."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        return [token for token in tokens if token.text.strip()]
