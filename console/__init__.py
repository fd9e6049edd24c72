"""The staff console: what the bot was asked and could not answer, read from the
tracker store. Served under /staff/ by scripts/serve_web.py (see console.app)."""
