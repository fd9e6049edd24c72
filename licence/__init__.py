"""The call-centre licence domain: rule set, engine and parsing helpers (no Rasa imports)."""
