"""Product photos and shop links (issue #20, items 3 and 4): the public, immutable photo files and the form
that signs a product's profile, from the producer console (``/console/products``) and the programme office's
(``/programme/products/<id>``).

A file is served under its SHA-256 (``/photos/<sha256>.jpg|webp``) only if its bytes still hash to that name,
with ``Cache-Control: public, max-age=31536000, immutable``: its URL names its content, so it never changes.
An upload is checked and re-encoded before anything is kept (``tracer.photos.images``); its files are
written before the signed entry and removed again if the entry is not saved. Saves are limited per account
(``SAVES``): each one decodes and re-encodes a photo of up to 40 megapixels.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlmodel import Session
from werkzeug.exceptions import NotFound as NoSuchFile
from wtforms import BooleanField, TextAreaField

from tracer.accounts.auth import current_actor, optional_actor
from tracer.events import profiles
from tracer.models.accounts import Role
from tracer.photos import images
from tracer.photos.images import Photo
from tracer.photos.shown import shown_photo
from tracer.photos.store import NAME, app_store
from tracer.platform import db, ratelimit
from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message
from tracer.platform.problems import larger_body
from tracer.reads import dashboards
from tracer.web import feedback
from tracer.web.flow import FORM_ERRORS, keep_language
from tracer.web.forms import CheckedForm

bp = Blueprint("photos", __name__)
keep_language(bp)
IMMUTABLE = "public, max-age=31536000, immutable"
UPLOAD_LIMIT = images.MAX_UPLOAD_BYTES + 256 * 1024  # the photo and the form's other fields
SAVES = ratelimit.Limit("product-profile", 60, 3600)  # signed saves per account an hour: each re-encodes


class ProfileForm(CheckedForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 8 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})  # fmt: skip
    remove_photo = BooleanField(_l("Remove the photo"))
    shops = TextAreaField(_l("Where to buy online"), render_kw={"rows": 5, "maxlength": 2000})


class ZonePhotoForm(CheckedForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, at most 8 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})  # fmt: skip
    remove_photo = BooleanField(_l("Remove the photo"))


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    """A product photo file, by the SHA-256 of its bytes; refused (404) if the file no longer hashes to it."""
    match = NAME.fullmatch(name)
    store = app_store()
    path = store.path(name)
    if match is None or path is None or not store.intact(name):
        raise NoSuchFile(f"no photo {name}")
    media_type = "image/webp" if match["ext"] == "webp" else "image/jpeg"
    response = send_file(path, mimetype=media_type, max_age=31536000, conditional=True, etag=match["sha256"])
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.get("/console/products")
def products() -> Response | str:
    actor = optional_actor()
    if actor is None:
        return redirect(url_for("account.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    org = current_actor(Role.PRODUCER).require_organisation()
    return render_template("console/products.html", products=dashboards.products_of(db.session(), org))


@bp.route("/console/products/<int:product_id>", methods=["GET", "POST"], endpoint="producer_profile")
@larger_body(UPLOAD_LIMIT)
def producer_profile(product_id: int) -> Response | tuple[str, int] | str:
    return _edit(product_id, "console/layout.html", "photos.producer_profile")


@bp.route("/programme/products/<int:product_id>", methods=["GET", "POST"], endpoint="programme_profile")
@larger_body(UPLOAD_LIMIT)
def programme_profile(product_id: int) -> Response | tuple[str, int] | str:
    return _edit(product_id, "console/programme/layout.html", "photos.programme_profile")


def _edit(product_id: int, layout: str, endpoint: str) -> Response | tuple[str, int] | str:
    if optional_actor() is None:
        return redirect(url_for("account.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    actor = current_actor()
    product, profile = profiles.editable(db.session(), actor, product_id)
    form = ProfileForm()
    shown = shown_photo(profile.photo if profile else None, "", app_store())
    context = {"layout": layout, "product": product, "profile": profile, "endpoint": endpoint, "shown": shown,
               "saved": request.args.get("saved", type=int)}  # fmt: skip
    if request.method == "GET":
        form.shops.data = profiles.shops_text(profile.shops) if profile else ""
        return render_template("console/product.html", form=form, **context)
    if not form.validate_on_submit():
        return render_template("console/product.html", form=form, **context), 422
    ratelimit.enforce(SAVES, f"user:{actor.user_id}")
    try:
        shops = profiles.parse_shops(form.shops.data or "")
        photo = _uploaded(form)
    except InvalidInput as error:
        feedback.from_domain(form, error)
        return render_template("console/product.html", form=form, **context), 422
    try:
        index = _signed_with_files(photo, lambda session: profiles.set_profile(
            session=session, actor=actor, product_id=product_id, shops=shops, photo=photo,
            remove_photo=bool(form.remove_photo.data)))  # fmt: skip
    except FORM_ERRORS as error:
        feedback.from_domain(form, error)
        return render_template("console/product.html", form=form, **context), 422
    return redirect(url_for(endpoint, product_id=product_id, saved=index))  # type: ignore[return-value]


def _signed_with_files(photo: Photo | None, sign: Callable[[Session], int]) -> int:
    """Put the photo's files in the store, then ``sign`` in a write transaction; its ledger index. A refused
    or failed signing takes the files back out: nothing is half-written."""
    store = app_store()
    written = store.put((photo.master, *photo.variants)) if photo is not None else []
    try:
        with db.writer() as session:
            return sign(session)
    except BaseException:
        store.discard(written)
        raise


def _uploaded(form: ProfileForm | ZonePhotoForm) -> Photo | None:
    upload = form.photo.data
    if upload is None or not str(getattr(upload, "filename", "") or ""):  # no file chosen
        return None
    data = upload.read(images.MAX_UPLOAD_BYTES + 1)
    return images.prepare(data)


@bp.route("/console/zones/<zone_id>/photo", methods=["GET", "POST"], endpoint="zone_photo")
@larger_body(UPLOAD_LIMIT)
def zone_photo(zone_id: str) -> Response | tuple[str, int] | str:
    """A zone's photo, signed by its organisation's key (``zone.profile``); shown on the zone's page."""
    if optional_actor() is None:
        return redirect(url_for("account.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    actor = current_actor(Role.PRODUCER)
    zone, signed = profiles.editable_zone(db.session(), actor, zone_id[:32])
    form = ZonePhotoForm()
    shown = shown_photo(signed.photo if signed else None, "", app_store())
    context = {"zone": zone, "signed": signed, "shown": shown, "saved": request.args.get("saved", type=int)}
    if request.method == "GET":
        return render_template("console/zone_photo.html", form=form, **context)
    if not form.validate_on_submit():
        return render_template("console/zone_photo.html", form=form, **context), 422
    ratelimit.enforce(SAVES, f"user:{actor.user_id}")
    try:
        photo = _uploaded(form)
        if photo is None and not form.remove_photo.data:
            raise InvalidInput(Message.PHOTO_EMPTY, field="photo")
    except InvalidInput as error:
        feedback.from_domain(form, error)
        return render_template("console/zone_photo.html", form=form, **context), 422
    try:
        index = _signed_with_files(photo, lambda session: profiles.set_zone_photo(
            session=session, actor=actor, zone_id=zone.id, photo=photo))  # fmt: skip
    except FORM_ERRORS as error:
        feedback.from_domain(form, error)
        return render_template("console/zone_photo.html", form=form, **context), 422
    return redirect(url_for("photos.zone_photo", zone_id=zone.id, saved=index))  # type: ignore[return-value]
