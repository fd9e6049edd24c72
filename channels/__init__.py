"""Custom Rasa input channels, one module per channel; ``channels.wechat`` is a package."""
