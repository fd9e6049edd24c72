"""Custom Rasa NLU components: input normalisation and the Chinese tokenizer fix."""
