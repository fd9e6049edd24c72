"""console.masking: WeChat OpenIDs appear as the WeChat channel's logs show them."""

from __future__ import annotations

import pytest

from console import masking


@pytest.mark.parametrize(
    "openid", ["oWx9Q2kLm3Np4Rs5Tu6Vw7Xy8Z", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "abc", "", None]
)
def test_the_console_masks_openids_exactly_as_the_wechat_channel_does(openid) -> None:
    # imported here only: the console itself must not import channels (.importlinter)
    from channels.wechat import mask_openid

    assert masking.mask_openid(openid) == mask_openid(openid)


def test_only_wechat_senders_are_masked_and_addressed_by_a_keyed_hash() -> None:
    key = b"k" * 32
    assert masking.shown_sender("oWx9Q2kLm3Np", "wechat") == "oWx9…"
    assert masking.shown_sender("rest-alice", "rest") == "rest-alice"
    public = masking.public_id("oWx9Q2kLm3Np", "wechat", key)
    assert public.startswith("wx-") and "oWx9Q2kLm3Np" not in public
    assert public == masking.public_id("oWx9Q2kLm3Np", "wechat", key)
    assert public != masking.public_id("oWx9Q2kLm3Np", "wechat", b"other key")
    assert masking.public_id("rest-alice", "rest", key) == "rest-alice"


def test_an_openid_inside_a_text_is_masked_too() -> None:
    assert masking.scrub("为 oWx9Q2kLm3Np 转接", "oWx9Q2kLm3Np", "wechat") == "为 oWx9… 转接"
    assert masking.scrub("为 rest-alice 转接", "rest-alice", "rest") == "为 rest-alice 转接"
