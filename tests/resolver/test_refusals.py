"""A code or identifier the resolver cannot read: its page (400) says why in the reader's language and in a
shopper's words (Vietnamese by default, English on ``?lang=en``), never the English technical reason, which
problem+json keeps as its ``detail``. The page escapes what came from the URL. Both databases."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

import pytest

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
GTIN = "08935049500018"
BAD_CODE = ("Đây không phải là mã sản phẩm hợp lệ", "This is not a valid product code")
BAD_ID = ("Mã định danh này không hợp lệ", "This identifier is not valid")


@dataclass(frozen=True)
class Refusal:
    path: str
    vi: str  # what a Vietnamese reader is told
    en: str  # what an English reader is told (?lang=en)
    technical: str  # the parser's English reason, in problem+json only

    @property
    def heading(self) -> tuple[str, str]:
        return BAD_ID if self.path.startswith("/id/") else BAD_CODE

    @property
    def detail(self) -> str:
        return (
            self.technical
            if self.path.startswith("/id/")
            else f"not a valid GS1 Digital Link: {self.technical}"
        )

    def english(self) -> str:
        return self.path + ("&" if "?" in self.path else "?") + "lang=en"


REFUSALS = [
    pytest.param(
        Refusal(
            "/01/123",
            "Mã GTIN phải có 8, 12, 13 hoặc 14 chữ số; mã này có 3.",
            "A GTIN has 8, 12, 13 or 14 digits; this one has 3.",
            "AI 01: GTIN must have 8, 12, 13 or 14 digits, got 3",
        ),
        id="gtin-length",
    ),
    pytest.param(
        Refusal(
            "/01/08935049500019",
            "Chữ số kiểm tra của mã GTIN 08935049500019 không đúng (phải là 8).",
            "The check digit of GTIN 08935049500019 is wrong (it should be 8).",
            "AI 01: bad check digit in GTIN 08935049500019: expected 8",
        ),
        id="check-digit",
    ),
    pytest.param(
        Refusal(
            f"/01/{GTIN}/10/L%C3%B4",
            "Số lô trong mã có ký tự không được phép: “ô”.",
            'The lot number in the code has a character that is not allowed: "ô".',
            "bad character 'ô' in AI 10 (GS1 AI 82 character set)",
        ),
        id="lot-character",
    ),
    pytest.param(
        Refusal(  # a package's code: a plain GET the fast path leaves to Flask
            f"/01/{GTIN}/10/L1/21/{'S' * 21}",
            "Số sê-ri trong mã dài 21 ký tự; chỉ được tối đa 20 ký tự.",
            "The serial number in the code has 21 characters; at most 20 are allowed.",
            "AI 21 too long: 21 characters, at most 20",
        ),
        id="serial-too-long",
    ),
    pytest.param(
        Refusal(
            f"/01/{GTIN}/235/V/21/S",
            "Mã có một phần (235) mà mã sản phẩm OCOP không dùng.",
            "The code has a part (235) that OCOP product codes do not use.",
            "unknown AI 235 in the path (expected 22, 10 or 21)",
        ),
        id="unknown-ai",
    ),
    pytest.param(
        Refusal(
            f"/01/{GTIN}/21/ABC/10/LOT",
            "Các phần của mã bị sai thứ tự: trước hết là mã GTIN, rồi đến số lô, sau cùng là số sê-ri.",
            "The parts of the code are in the wrong order: "
            "first the GTIN, then the lot number, then the serial.",
            "wrong order: AI 10 out of place (order is 01, 22, 10, 21)",
        ),
        id="ai-order",
    ),
    pytest.param(
        Refusal(
            f"/01/{GTIN}/21/S?17=261301",
            "Hạn sử dụng trong mã có tháng không tồn tại (261301).",
            "The expiry date in the code has a month that does not exist (261301).",
            "AI 17 has a bad month: 261301",
        ),
        id="expiry-month",
    ),
    pytest.param(
        Refusal(
            "/p/ABC/21/D",
            "Trong mã dạng /p/, sau số sê-ri không được có thêm gì.",
            "Nothing may follow the serial number in a /p/ code.",
            "the /p/{serial} form takes nothing after the serial",
        ),
        id="short-form-extra",
    ),
    pytest.param(
        Refusal(
            "/id/lot/%21",
            "Mã định danh của lô gồm chữ L và 9 chữ cái hoặc chữ số; “!” không phải là mã lô.",
            'A lot identifier is an L and 9 letters or digits; "!" is not one.',
            "'!' is not a well-formed lot identifier",
        ),
        id="lot-id",
    ),
    pytest.param(
        Refusal(
            "/id/org/007",
            "Mã định danh của tổ chức là một số nguyên như 12 (không bắt đầu bằng 0); "
            "“007” không phải là mã tổ chức.",
            'An organisation identifier is a whole number such as 12 (no leading 0); "007" is not one.',
            "'007' is not a well-formed org identifier",
        ),
        id="org-id",
    ),
]


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("case", REFUSALS)
def test_the_page_says_why_in_vietnamese(client, case: Refusal):
    page = client.get(case.path, headers=HTML)
    assert page.status_code == 400 and page.mimetype == "text/html"
    text = _text(page)
    assert case.heading[0] in text
    assert case.vi in text
    assert unicodedata.is_normalized("NFC", text)
    assert case.technical not in text
    assert case.en not in text


@pytest.mark.parametrize("case", REFUSALS)
def test_the_page_says_why_in_english_on_request(client, case: Refusal):
    page = client.get(case.english(), headers=HTML)
    assert page.status_code == 400
    text = _text(page)
    assert case.heading[1] in text
    assert case.en in text
    assert case.technical not in text
    assert case.vi not in text


@pytest.mark.parametrize("case", REFUSALS)
def test_problem_json_keeps_the_english_detail(client, case: Refusal):
    problem = client.get(case.path, headers=JSON)
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["detail"] == case.detail


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/01/{GTIN}/%3Cscript%3E/x/21/S", "“&lt;script&gt;”"),
        ("/id/zone/%3Cb%3Ebold", "“&lt;b&gt;bold”"),
    ],
)
def test_what_came_from_the_url_is_escaped(client, path: str, shown: str):
    body = client.get(path, headers=HTML).get_data(as_text=True)
    assert shown in body
    assert "<script>" not in body and "<b>" not in body
