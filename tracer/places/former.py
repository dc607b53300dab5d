"""Names from before 1 July 2025 and the units they became.

Provinces: the 63 provinces and cities before the rearrangement, each with the 2025 province it is now part
of (Nghị quyết 202/2025/QH15 of the National Assembly, 12 June 2025): 11 kept as they were, the other 52
merged into 23. Communes: the old communes of the programme's own places (its demo producers and zones),
from the Standing Committee's resolutions on each province's communes (2025), by the new commune's code in
the maintained dataset (``tracer.places.units``). A fuller commune table belongs with the dataset: version
2026.x of ``vietnam-provinces`` carries one, but needs Python 3.12 (see requirements.txt).
"""

from __future__ import annotations

from dataclasses import dataclass

# old province -> the 2025 province (as the dataset names it)
PROVINCES: dict[str, str] = {
    "Hà Nội": "Thành phố Hà Nội",
    "Huế": "Thành phố Huế",
    "Thừa Thiên Huế": "Thành phố Huế",
    "Lai Châu": "Lai Châu",
    "Điện Biên": "Điện Biên",
    "Sơn La": "Sơn La",
    "Lạng Sơn": "Lạng Sơn",
    "Quảng Ninh": "Quảng Ninh",
    "Thanh Hóa": "Thanh Hóa",
    "Nghệ An": "Nghệ An",
    "Hà Tĩnh": "Hà Tĩnh",
    "Cao Bằng": "Cao Bằng",
    "Hà Giang": "Tuyên Quang",
    "Tuyên Quang": "Tuyên Quang",
    "Yên Bái": "Lào Cai",
    "Lào Cai": "Lào Cai",
    "Bắc Kạn": "Thái Nguyên",
    "Thái Nguyên": "Thái Nguyên",
    "Hòa Bình": "Phú Thọ",
    "Vĩnh Phúc": "Phú Thọ",
    "Phú Thọ": "Phú Thọ",
    "Bắc Giang": "Bắc Ninh",
    "Bắc Ninh": "Bắc Ninh",
    "Thái Bình": "Hưng Yên",
    "Hưng Yên": "Hưng Yên",
    "Hải Dương": "Thành phố Hải Phòng",
    "Hải Phòng": "Thành phố Hải Phòng",
    "Hà Nam": "Ninh Bình",
    "Nam Định": "Ninh Bình",
    "Ninh Bình": "Ninh Bình",
    "Quảng Bình": "Quảng Trị",
    "Quảng Trị": "Quảng Trị",
    "Quảng Nam": "Thành phố Đà Nẵng",
    "Đà Nẵng": "Thành phố Đà Nẵng",
    "Kon Tum": "Quảng Ngãi",
    "Quảng Ngãi": "Quảng Ngãi",
    "Bình Định": "Gia Lai",
    "Gia Lai": "Gia Lai",
    "Ninh Thuận": "Khánh Hòa",
    "Khánh Hòa": "Khánh Hòa",
    "Đắk Nông": "Lâm Đồng",
    "Bình Thuận": "Lâm Đồng",
    "Lâm Đồng": "Lâm Đồng",
    "Phú Yên": "Đắk Lắk",
    "Đắk Lắk": "Đắk Lắk",
    "Bà Rịa - Vũng Tàu": "Thành phố Hồ Chí Minh",
    "Bình Dương": "Thành phố Hồ Chí Minh",
    "Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "Bình Phước": "Đồng Nai",
    "Đồng Nai": "Đồng Nai",
    "Long An": "Tây Ninh",
    "Tây Ninh": "Tây Ninh",
    "Sóc Trăng": "Thành phố Cần Thơ",
    "Hậu Giang": "Thành phố Cần Thơ",
    "Cần Thơ": "Thành phố Cần Thơ",
    "Bến Tre": "Vĩnh Long",
    "Trà Vinh": "Vĩnh Long",
    "Vĩnh Long": "Vĩnh Long",
    "Tiền Giang": "Đồng Tháp",
    "Đồng Tháp": "Đồng Tháp",
    "Bạc Liêu": "Cà Mau",
    "Cà Mau": "Cà Mau",
    "Kiên Giang": "An Giang",
    "An Giang": "An Giang",
}


@dataclass(frozen=True)
class FormerCommune:
    commune: str  # as it was written, "Xã Mỹ Cẩm"
    district: str
    province: str
    now: int  # the 2025 commune's code in the dataset


COMMUNES: tuple[FormerCommune, ...] = (
    FormerCommune("Xã Mỹ Cẩm", "Huyện Càng Long", "Trà Vinh", 29266),
    FormerCommune("Thị trấn Càng Long", "Huyện Càng Long", "Trà Vinh", 29266),
    FormerCommune("Xã Nhị Long Phú", "Huyện Càng Long", "Trà Vinh", 29266),
    FormerCommune("Xã Hòa Ân", "Huyện Cầu Kè", "Trà Vinh", 29308),
    FormerCommune("Phường 1", "Thành phố Trà Vinh", "Trà Vinh", 29242),
    FormerCommune("Xã Ea Kly", "Huyện Krông Pắc", "Đắk Lắk", 24496),
    FormerCommune("Thị trấn Cần Đước", "Huyện Cần Đước", "Long An", 28108),
    FormerCommune("Xã Long Hựu Đông", "Huyện Cần Đước", "Long An", 28144),
    FormerCommune("Thị trấn Chũ", "Huyện Lục Ngạn", "Bắc Giang", 7525),
    FormerCommune("Xã Hồng Giang", "Huyện Lục Ngạn", "Bắc Giang", 7525),
)
