"""Helpers the org tests share: roster files as a unit's personnel officer fills them, and the scope of someone
who may see and change everything."""
import io

import pandas as pd

from org.selectors import Scope

HEADERS = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Phân loại", "Ngạch", "Vị trí việc làm", "Phụ trách CCHC",
           "Tiếp nhận hồ sơ một cửa", "Lãnh đạo", "Trạng thái", "Email", "Số điện thoại", "Ngày sinh", "Ngày hiệu lực"]
EVERYTHING = Scope(all_units=True, all_officials=True, can_manage=True)


def roster_rows(n: int, unit_codes=("25993", "25996")) -> list[list[str]]:
    """`n` rows of the roster template for officials BH-00000…, spread over the wards `unit_codes`."""
    return [
        [f"BH-{i:05d}", f"Nguyễn Văn Thử {i}", unit_codes[i % len(unit_codes)], "Công chức", "Chuyên viên",
         "Tư pháp – Hộ tịch", "x" if i % 50 == 0 else "", "x" if i % 7 == 0 else "", "", "Đang công tác",
         f"bh{i}@example.test", "0912345678", "15/03/1985", "01/01/2020"]
        for i in range(n)
    ]


def to_csv(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    frame = pd.DataFrame(rows, columns=headers)
    return frame.to_csv(index=False).encode(encoding)


def to_xlsx(rows, headers=HEADERS) -> bytes:
    out = io.BytesIO()
    pd.DataFrame(rows, columns=headers).to_excel(out, index=False)
    return out.getvalue()
