"""Product photos and shop links, signed (issue #20, items 3 and 4), on both databases: the upload's bad
cases refused cleanly, the photo's hash and the shops in a signed ``product.profile``, shown on the pages and
in the linkset, served immutable, and tampering (a file replaced, a row changed) detected."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import update
from sqlmodel import Session, select

from tests.support.accounts import ADMIN, CACAO_PRODUCER, INSPECTOR
from tests.web.conftest import csrf, ledger_size, sign_in_as, text
from tracer.events import profiles
from tracer.ledger.dsse import Envelope
from tracer.models.lots import Package
from tracer.models.products import Product
from tracer.photos import images
from tracer.platform.services import services
from tracer.proofs.verdict import verify_package_bundle

GAC = "Dầu gấc Mỹ Cẩm"
SHOPS = "Shopee | https://shopee.vn/dau-gac-my-cam-i.1.2\nhttps://tiki.vn/dầu-gấc?x=1&y=<b>\nMy site | https://htx-mycam.vn/"


def _standards() -> Path:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "standards" / "gs1"
        if candidate.is_dir():
            return candidate
    return Path("/work/shared/standards/gs1")


GS1_SCHEMA = jsonschema.Draft7Validator(json.loads((_standards() / "gs1-linkset-schema.json").read_text()))


def _jpeg(width: int = 800, height: int = 400, *, orientation: int | None = None, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 60, 30))
    for x in range(0, width, 40):  # something to compress
        image.paste((30, 120, 200), (x, 0, x + 20, height // 2))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 2.0), 3: "E", 4: (105.0, 50.0, 3.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _product(app: Flask, name: str = GAC) -> Product:
    with Session(services(app).engine) as session:
        product = session.exec(select(Product).where(Product.name == name)).one()
        session.expunge(product)
        return product


def _serial(app: Flask, product: Product) -> str:
    with Session(services(app).engine) as session:
        return str(session.exec(select(Package.serial).where(Package.product_id == product.id)).first())


def _upload(client: FlaskClient, path: str, photo: bytes | None, shops: str = "", **extra: Any) -> Any:
    data: dict[str, Any] = {"csrf_token": csrf(client, path), "shops": shops, **extra}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), extra.pop("filename", "photo.jpg"))
    return client.post(path, data=data, content_type="multipart/form-data")


def _folder(app: Flask) -> Path:
    return Path(app.instance_path) / "product-photos"


def _files(app: Flask) -> set[str]:
    folder = _folder(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _entry(app: Flask, index: int) -> dict[str, Any]:
    with services(app).engine.connect() as conn:
        return json.loads(Envelope.from_json(journal_store(app).entry(conn, index)).payload)  # type: ignore[no-any-return]


def journal_store(app: Flask) -> Any:
    return services(app).ledger


@pytest.fixture
def gac(producer: FlaskClient, demo_app: Flask) -> tuple[FlaskClient, str]:
    product = _product(demo_app)
    return producer, f"/console/products/{product.id}"


def test_photo_and_shops_signed_shown_and_served_immutable(gac: tuple[FlaskClient, str], demo_app: Flask,
                                                           demo: Any) -> None:  # fmt: skip
    client, path = gac
    answer = _upload(client, path, _jpeg(orientation=6, gps=True), SHOPS)
    assert answer.status_code == 302, text(answer)
    product = _product(demo_app)
    assert product.profile_index is not None and product.photo_url is None
    body = _entry(demo_app, product.profile_index)
    assert body["type"] == "product.profile" and body["product"]["id"] == product.id
    photo = body["product"]["photo"]
    assert (photo["width"], photo["height"]) == (400, 800)  # the EXIF orientation (6: turned) applied
    assert {v["width"] for v in photo["variants"]} == {320, 400}  # the widths below its own, and its own
    assert [s["label"] for s in body["product"]["shops"]] == ["Shopee", "Tiki", "My site"]
    assert body["product"]["shops"][1]["url"] == "https://tiki.vn/d%E1%BA%A7u-g%E1%BA%A5c?x=1&y=%3Cb%3E"
    files = _files(demo_app)
    assert f"{photo['sha256']}.jpg" in files and all(
        f"{v['sha256']}.{'webp' if v['type'] == 'image/webp' else 'jpg'}" in files for v in photo["variants"]
    )  # noqa: E501
    for name in files:  # no metadata left: no EXIF (GPS), no ICC
        with Image.open(_folder(demo_app) / name) as kept:
            assert not kept.getexif() and "icc_profile" not in kept.info and "exif" not in kept.info
    served = client.get(f"/photos/{photo['sha256']}.jpg")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/photos/" + "0" * 64 + ".jpg").status_code == 404
    assert client.get("/photos/../instance.jpg").status_code == 404

    page = text(client.get(f"/01/{product.gtin}"))
    assert '<picture><source type="image/webp"' in page and 'loading="lazy"' in page
    img = r'<img class="photo" src="/photos/[0-9a-f]{64}\.jpg" srcset="[^"]+" sizes="[^"]+" alt="[^"]+" '
    assert re.search(img + r'loading="lazy" decoding="async" width="\d+" height="\d+"', page)
    assert '<meta property="og:image" content="http' in page
    assert '<a href="https://shopee.vn/dau-gac-my-cam-i.1.2" rel="noopener nofollow">Shopee</a>' in page
    assert "Nơi mua" in page and "<b>" not in page.split('id="buy"')[1].split("</section>")[0]
    package_page = text(client.get(f"/01/{product.gtin}/21/{_serial(demo_app, product)}"))
    assert "<picture>" in package_page and 'rel="noopener nofollow">Shopee</a>' in package_page
    weight = sum(len(gzip.compress(client.get(p).get_data(), 6))
                 for p in (f"/01/{product.gtin}", "/static/origin.css", "/static/origin.js"))  # fmt: skip
    assert weight < 30_000, weight  # the page's budget, photos aside (they load lazily, after it)
    catalogue = text(client.get("/products"))
    assert "<picture>" in catalogue and 'loading="lazy"' in catalogue

    linkset = client.get(f"/01/{product.gtin}", headers={"Accept": "application/linkset+json"}).get_json()
    GS1_SCHEMA.validate(linkset)
    retailers = linkset["linkset"][0]["https://gs1.org/voc/hasRetailers"]
    assert [r["title"] for r in retailers] == ["Shopee", "Tiki", "My site"]
    package_uri = f"/01/{product.gtin}/21/{_serial(demo_app, product)}"
    linkset = client.get(package_uri, headers={"Accept": "application/linkset+json"}).get_json()
    GS1_SCHEMA.validate(linkset)
    with_shops = [a for a in linkset["linkset"] if "https://gs1.org/voc/hasRetailers" in a]
    assert len(with_shops) == 2  # the package's entry and its product's
    catalogue_weight = sum(
        len(gzip.compress(client.get(p).get_data(), 6)) for p in ("/products", "/static/site.css")
    )
    assert catalogue_weight < 30_000, catalogue_weight

    runner = demo_app.test_cli_runner()
    clean = runner.invoke(args=["tracer", "ledger", "verify"])
    assert clean.exit_code == 0 and "product photo files match" in clean.output, clean.output


def test_the_verifier_reads_photo_and_shops_from_the_signed_entry(gac: tuple[FlaskClient, str],
                                                                  demo_app: Flask) -> None:  # fmt: skip
    client, path = gac
    assert _upload(client, path, _jpeg(1600, 1200), SHOPS).status_code == 302
    product = _product(demo_app)
    serial = _serial(demo_app, product)
    bundle = client.get(f"/api/v1/packages/{serial}/proof").get_json()
    key = client.get("/api/v1/ledger/keys").get_json()["log_key"] if False else bundle["log_key"]
    verdict = verify_package_bundle(bundle, key)
    signed = _entry(demo_app, product.profile_index or 0)["product"]
    assert verdict.facts["product"]["photo"]["sha256"] == signed["photo"]["sha256"]
    assert {v["width"] for v in verdict.facts["product"]["photo"]["variants"]} == {320, 640, 1280}
    assert [s["url"] for s in verdict.facts["product"]["shops"]][
        0
    ] == "https://shopee.vn/dau-gac-my-cam-i.1.2"


def test_a_replaced_file_is_never_served_nor_shown_and_verify_names_it(gac: tuple[FlaskClient, str],
                                                                       demo_app: Flask) -> None:  # fmt: skip
    client, path = gac
    assert _upload(client, path, _jpeg(), SHOPS).status_code == 302
    product = _product(demo_app)
    photo = _entry(demo_app, product.profile_index or 0)["product"]["photo"]
    small = next(v for v in photo["variants"] if v["type"] == "image/jpeg")
    target = _folder(demo_app) / f"{small['sha256']}.jpg"
    target.write_bytes(_jpeg(500, 300))  # another picture under the signed name
    assert client.get(f"/photos/{small['sha256']}.jpg").status_code == 404
    page = text(client.get(f"/01/{product.gtin}"))
    assert "<picture>" not in page and "Shopee" in page  # no photo; the shops are still signed
    result = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert result.exit_code == 1 and f"photo file {small['sha256']}.jpg" in result.output, result.output


def test_a_changed_row_shows_nothing_and_verify_names_it(gac: tuple[FlaskClient, str], demo_app: Flask,
                                                         demo: Any) -> None:  # fmt: skip
    client, path = gac
    assert _upload(client, path, _jpeg(), SHOPS).status_code == 302
    gac_product = _product(demo_app)
    other = _product(demo_app, "Bột cacao nguyên chất Ea Kly")
    admin = sign_in_as(demo_app.test_client(), demo, ADMIN)
    answer = _upload(admin, f"/programme/products/{other.id}", _jpeg(640, 640), "https://lazada.vn/cacao")
    assert answer.status_code == 302, text(answer)
    other = _product(demo_app, other.name)
    engine = services(demo_app).engine
    with engine.begin() as conn:  # point the gấc row at the cacao's photo entry
        conn.execute(
            update(Product).where(Product.id == gac_product.id).values(profile_index=other.profile_index)
        )
    page = text(client.get(f"/01/{gac_product.gtin}"))
    assert "<picture>" not in page and "lazada" not in page
    result = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert result.exit_code == 1 and f"products row id={gac_product.id}: profile_index" in result.output
    with engine.begin() as conn:  # back to an older entry of its own (a rollback) is named too
        conn.execute(update(Product).where(Product.id == gac_product.id).values(profile_index=None))
    result = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert result.exit_code == 1 and "newest product.profile" in result.output


def _bomb() -> bytes:
    return _png(8000, 8000)  # 64 megapixels of black in a few tens of KB


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"GIF89a" + b"\0" * 100, "JPEG, PNG hoặc WebP"),
        (lambda: b"", "rỗng"),
        (lambda: b"\xff\xd8\xff" + b"\0" * (images.MAX_UPLOAD_BYTES + 10), "8 MB"),
        (lambda: _jpeg()[:1500], "cắt ngắn"),
        (lambda: _jpeg() + b"<html><script>alert(1)</script></html>", "ngoài ảnh"),
        (lambda: _zip_polyglot(), "ngoài ảnh"),
        (_bomb, "quá nhiều điểm ảnh"),
        (lambda: _png(20, 20), "quá nhỏ"),
    ],
    ids=["gif", "empty", "too-large", "truncated", "html-polyglot", "zip-polyglot", "bomb", "tiny"],
)
def test_bad_uploads_are_refused_cleanly(gac: tuple[FlaskClient, str], demo_app: Flask, make: Any,
                                         message: str) -> None:  # fmt: skip
    client, path = gac
    before, files = ledger_size(client), _files(demo_app)
    answer = _upload(client, path, make(), "https://shopee.vn/x")
    assert answer.status_code in (413, 422), answer.status_code
    if answer.status_code == 422:
        assert message in text(answer), text(answer)[-3000:]
    assert ledger_size(client) == before and _files(demo_app) == files
    assert _product(demo_app).profile_index is None


def _zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", "<p>hi</p>")
    return _jpeg() + archive.getvalue()


@pytest.mark.parametrize(
    "shops",
    [
        "javascript:alert(1)",
        "http://shopee.vn/x",
        "https://shopee.vn/" + "a" * 300,
        "https://shopee.vn/\0x",
        "https://user@evil.example/x",
        "data:text/html,hi",
        "https://localhost/x",
        "\n".join(f"https://shop{i}.vn/" for i in range(6)),
        "<script> | https://shopee.vn/\u202ex",
    ],
    ids=["javascript", "http", "too-long", "nul", "userinfo", "data", "no-dot", "too-many", "bidi"],
)
def test_bad_shop_links_are_refused(gac: tuple[FlaskClient, str], demo_app: Flask, shops: str) -> None:
    client, path = gac
    before = ledger_size(client)
    answer = _upload(client, path, None, shops)
    assert answer.status_code in (400, 422), answer.status_code
    assert ledger_size(client) == before and _product(demo_app).profile_index is None


def test_another_producer_cannot_touch_the_product(demo_app: Flask, demo: Any) -> None:
    other = sign_in_as(demo_app.test_client(), demo, CACAO_PRODUCER)
    product = _product(demo_app)
    assert other.get(f"/console/products/{product.id}").status_code == 404


def test_check_shops_unit() -> None:
    assert profiles.parse_shops("") == ()
    shop = profiles.parse_shops("https://www.lazada.vn/p/1")[0]
    assert shop.label == "Lazada" and shop.url == "https://www.lazada.vn/p/1"


def test_without_csrf_or_with_another_role_nothing_is_signed(gac: tuple[FlaskClient, str], demo_app: Flask,
                                                             demo: Any) -> None:  # fmt: skip
    client, path = gac
    before = ledger_size(client)
    answer = client.post(path, data={"shops": "https://shopee.vn/x"}, content_type="multipart/form-data")
    assert answer.status_code in (400, 422) and ledger_size(client) == before
    inspector = sign_in_as(demo_app.test_client(), demo, INSPECTOR)
    assert inspector.get(path).status_code == 403
    assert _product(demo_app).profile_index is None
    anonymous = demo_app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_removing_the_photo_keeps_the_shops(gac: tuple[FlaskClient, str], demo_app: Flask) -> None:
    client, path = gac
    assert _upload(client, path, _jpeg(), SHOPS).status_code == 302
    first = _product(demo_app).profile_index
    answer = _upload(client, path, None, SHOPS, remove_photo="y")
    assert answer.status_code == 302, text(answer)
    product = _product(demo_app)
    body = _entry(demo_app, product.profile_index or 0)["product"]
    assert product.profile_index != first and "photo" not in body and len(body["shops"]) == 3
    page = text(client.get(f"/01/{product.gtin}"))
    assert "<picture>" not in page and "Shopee" in page


def _zone(app: Flask, organisation_id: int) -> Any:
    from tracer.models.zones import Zone

    with Session(services(app).engine) as session:
        zone = session.exec(select(Zone).where(Zone.organisation_id == organisation_id)).first()
        assert zone is not None
        session.expunge(zone)
        return zone


def test_zone_photo_signed_by_its_organisation_shown_verified_and_checked(
    gac: tuple[FlaskClient, str], demo_app: Flask
) -> None:
    from tracer.models.zones import ZoneProfile

    client, _path = gac
    product = _product(demo_app)
    zone = _zone(demo_app, product.organisation_id)
    path = f"/console/zones/{zone.id}/photo"
    assert 'href="/console/zones/' in text(client.get("/console/zones"))
    refused = _upload(client, path, b"GIF89a" + b"\0" * 50)
    assert refused.status_code == 422 and "JPEG, PNG hoặc WebP" in text(refused)
    answer = _upload(client, path, _jpeg(900, 600, gps=True))
    assert answer.status_code == 302, text(answer)
    with Session(services(demo_app).engine) as session:
        pointer = session.get(ZoneProfile, zone.id)
        assert pointer is not None
        index = pointer.profile_index
    body = _entry(demo_app, index)
    assert body["type"] == "zone.profile" and body["org"] == zone.organisation_id
    assert body["zone"]["id"] == zone.id and len(body["zone"]["photo"]["sha256"]) == 64
    page = text(client.get(f"/id/zone/{zone.id}"))
    assert "<picture>" in page and 'loading="lazy"' in page
    served = [v["sha256"] for v in body["zone"]["photo"]["variants"]]
    package_page = text(client.get(f"/p/{_serial(demo_app, product)}", follow_redirects=True))
    assert any(sha in package_page for sha in served), "the journey's zone step shows the zone's photo"
    bundle = client.get(f"/api/v1/packages/{_serial(demo_app, product)}/proof").get_json()
    zones = verify_package_bundle(bundle, bundle["log_key"]).facts["zones"]
    assert [z["photo"]["sha256"] for z in zones if z["id"] == zone.id] == [body["zone"]["photo"]["sha256"]]
    runner = demo_app.test_cli_runner()
    assert runner.invoke(args=["tracer", "ledger", "verify"]).exit_code == 0
    with services(demo_app).engine.begin() as conn:  # the pointer moved back: named
        conn.execute(update(ZoneProfile).where(ZoneProfile.zone_id == zone.id).values(profile_index=1))
    result = runner.invoke(args=["tracer", "ledger", "verify"])
    assert result.exit_code == 1 and f"zone_profiles row zone_id={zone.id}" in result.output, result.output
    assert "<picture>" not in text(client.get(f"/id/zone/{zone.id}"))


def test_another_producers_zone_is_not_found(demo_app: Flask, demo: Any) -> None:
    other = sign_in_as(demo_app.test_client(), demo, CACAO_PRODUCER)
    zone = _zone(demo_app, _product(demo_app).organisation_id)
    assert other.get(f"/console/zones/{zone.id}/photo").status_code == 404
