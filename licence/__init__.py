"""The call-centre licence domain: rule set, engine, answers and decisions read from
messages (no Rasa imports); the Chinese text itself is read by ``zhtext``."""
