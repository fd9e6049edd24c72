"""Chinese text as users type it: normalisation, numbers, money, head counts,
yes/no, provinces, coverage and dates, with the vocabulary they match against.

The bottom layer of the project: pure Python that imports nothing of
``licence``, Rasa or rasa_sdk, so the domain, the actions and the NLU
components all read a message the same way.
"""
