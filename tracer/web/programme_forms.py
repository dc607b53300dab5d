"""The programme console's forms: organisations, products, people, tokens, OCOP certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import EmailField

from tracer.web.forms import DAY, WHOLE, CheckedForm, WholeId, options, today_iso

KINDS = [
    ("htx", _l("Cooperative (HTX)")),
    ("dn", _l("Firm (DN)")),
    ("tht", _l("Cooperative group (THT)")),
    ("hkd", _l("Household")),
    ("authority", _l("OCOP programme office")),
]
GROUPS = [
    ("thuc_pham", _l("Food")),
    ("do_uong", _l("Beverages")),
    ("thao_duoc", _l("Herbal products")),
    ("vai_may_mac", _l("Textiles and garments")),
    ("luu_niem_noi_that", _l("Handicrafts and furnishings")),
    ("du_lich", _l("Rural tourism")),
]
LEVELS = [("tinh", _l("Province")), ("huyen", _l("District")), ("trung_uong", _l("Central"))]
ROLES = [
    ("producer", _l("Producer (member of an organisation)")),
    ("authority", _l("Programme office staff")),
]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RotateForm(CheckedForm):
    reason = TextAreaField(_l("Why the key is replaced"), render_kw={"rows": 2})


class OrganisationForm(CheckedForm):
    name = StringField(_l("Name"), render_kw={"placeholder": "Hợp tác xã Nông nghiệp Mỹ Cẩm"})
    kind = SelectField(_l("Kind"), choices=options(KINDS), validate_choice=False)
    registration_no = StringField(_l("Registration number"))
    address = StringField(_l("Address (hamlet, road)"))
    commune = StringField(_l("Commune"))
    district = StringField(_l("District"))
    province = StringField(_l("Province"))
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel"})
    email = EmailField(_l("E-mail"))


class ProductForm(CheckedForm):
    name = StringField(_l("Product name"))
    ocop_group = SelectField(_l("OCOP product group"), choices=options(GROUPS), validate_choice=False)
    gtin = StringField(_l("GTIN (barcode number, optional)"), render_kw=WHOLE)
    unit = StringField(_l("Unit"), render_kw={"placeholder": "chai"})
    shelf_life_days = StringField(_l("Shelf life (days)"), render_kw=WHOLE)
    net_content = StringField(_l("Net content per package"), render_kw={"placeholder": "100 ml"})
    max_yield = StringField(
        _l("Yield at most (output per unit of input)"), render_kw={"placeholder": "0,06 l/kg"}
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 3})


class UserForm(CheckedForm):
    email = EmailField(_l("E-mail"))
    full_name = StringField(_l("Full name"))
    role = SelectField(_l("Role"), choices=options(ROLES), validate_choice=False)
    organisation_id = SelectField(
        _l("Organisation"), validate_choice=False, validators=[WholeId(optional=True)]
    )


class InspectorForm(CheckedForm):
    email = EmailField(_l("E-mail"))
    full_name = StringField(_l("Full name"))
    organisation_id = SelectField(
        _l("Organisation (optional)"), validate_choice=False, validators=[WholeId(optional=True)]
    )


class TokenForm(CheckedForm):
    name = StringField(_l("Token name"), default="api", render_kw={"placeholder": "Phần mềm kế toán"})


class CertificateForm(CheckedForm):
    product_id = SelectField(_l("Product"), validate_choice=False)
    stars = SelectField(
        _l("Stars"),
        choices=options((str(n), "★" * n) for n in range(1, 6)),
        default="3",
        validate_choice=False,
    )
    decision_no = StringField(_l("Decision number"), render_kw={"placeholder": "1868/QĐ-UBND"})
    issuing_level = SelectField(_l("Issued at level"), choices=options(LEVELS), validate_choice=False)
    issued_on = StringField(_l("Issued on"), default=today_iso, render_kw=DAY)
    valid_until = StringField(_l("Valid until (empty: 36 months after issue)"), render_kw=DAY)
