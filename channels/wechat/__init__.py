"""WeChat Official Account (公众号) message push as a Rasa input channel.

Load it from ``credentials.yml``::

    channels.wechat.WeChatInput:
      token: ${WECHAT_TOKEN}        # empty: the channel is off, its routes answer 503
      appid: ${WECHAT_APPID}
      secret: ${WECHAT_SECRET}
      aes_key: ${WECHAT_AES_KEY}    # EncodingAESKey; set: safe mode, empty: plain mode
      api_base: ${WECHAT_API_BASE}  # empty: https://api.weixin.qq.com

WeChat calls ``/webhooks/wechat/webhook``: GET once to verify the URL (echo
``echostr``), then POST for every message and event.

One concern per module:

* ``config``: ``WeChatConfig`` from the credentials, and the channel's own texts;
* ``security``: signatures, the timestamp window, OpenID masking in logs;
* ``inbound``: the safe-mode envelope and the message, parsed once by wechatpy;
* ``render``: buttons as a numbered list, WeChat's 2048-byte limit, the
  handoff's transfer to the customer service;
* ``api``: the customer-service message API and its access token;
* ``exchanges``: WeChat's retries, the reply budget, answers pushed later;
* ``store``: where that state lives: in this process, or in Redis for every
  server (``REDIS_URL``, else ``LOCK_STORE_URL``);
* ``clock``: the time it reads and waits on, injectable for tests;
* ``channel``: ``WeChatInput`` itself, the routes and the HTTP answers.

The pause after a handoff is channel-neutral Rasa state: ``channels.handoff``.
"""

from channels.wechat.api import WeChatApiClient, WeChatApiError
from channels.wechat.channel import SUCCESS, WeChatInput, WeChatOutput
from channels.wechat.clock import SYSTEM_CLOCK, Clock, SystemClock
from channels.wechat.config import (
    DEFAULT_API_BASE,
    TEXTS,
    WELCOME_PAYLOAD,
    WeChatConfig,
)
from channels.wechat.inbound import Inbound, MalformedMessage, parse_inbound
from channels.wechat.render import (
    TRANSFER_PAYLOAD,
    WECHAT_TEXT_LIMIT_BYTES,
    Choice,
    parse_choice,
    render_answer,
    split_text,
)
from channels.wechat.security import (
    OpenIdMaskingFilter,
    mask_openid,
    signature_matches,
    wechat_signature,
)

__all__ = [
    "DEFAULT_API_BASE",
    "SUCCESS",
    "SYSTEM_CLOCK",
    "TEXTS",
    "TRANSFER_PAYLOAD",
    "WECHAT_TEXT_LIMIT_BYTES",
    "WELCOME_PAYLOAD",
    "Choice",
    "Clock",
    "Inbound",
    "MalformedMessage",
    "OpenIdMaskingFilter",
    "SystemClock",
    "WeChatApiClient",
    "WeChatApiError",
    "WeChatConfig",
    "WeChatInput",
    "WeChatOutput",
    "mask_openid",
    "parse_choice",
    "parse_inbound",
    "render_answer",
    "signature_matches",
    "split_text",
    "wechat_signature",
]
