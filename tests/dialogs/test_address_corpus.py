"""Every message of the address corpus (address_corpus.py: 86 addresses as customers paste or type
them, half zh, half en) is read into the name, phone, region and street it holds."""

from __future__ import annotations

import pytest

from dialogs.address import parse_address
from tests.dialogs.address_corpus import EN, EN_MORE, ZH, ZH_MORE, Entry


@pytest.mark.parametrize("entry", [*ZH, *EN, *ZH_MORE, *EN_MORE], ids=lambda e: e[0][:40])
def test_the_address_is_read_field_by_field(entry: Entry) -> None:
    text, name, phone, region, detail = entry
    draft = parse_address(text)
    assert (draft.name, draft.phone, draft.region, draft.detail) == (name, phone, region, detail)


def test_the_corpus_is_half_chinese_half_english_and_all_different() -> None:
    assert len(ZH) >= 30
    assert len(EN) >= 30
    everything = [*ZH, *EN, *ZH_MORE, *EN_MORE]
    assert len({e[0] for e in everything}) == len(everything)
