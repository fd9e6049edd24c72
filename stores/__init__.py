"""Rasa stores chosen from the environment (see endpoints.yml)."""
