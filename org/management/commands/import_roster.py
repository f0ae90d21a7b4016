from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import translation

from org import parsing, services
from org.selectors import Scope
from org.services.import_jobs import BUSY, import_apply, import_running

MAX_CHANGES_SHOWN = 2000


class Command(BaseCommand):
    help = "Import a roster (or, with --units, a unit tree) from an .xlsx or .csv file: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--units", action="store_true", help="The file holds units, not officials.")
        parser.add_argument("--dry-run", action="store_true", help="Only validate; write nothing.")
        parser.add_argument("--encoding-checked", action="store_true",
                            help="The names converted from TCVN3/VNI were checked: import them (without it, such a "
                                 "file is only previewed).")

    def handle(self, *args, path, units, dry_run, encoding_checked=False, **options):
        translation.activate("vi")
        file = Path(path)
        if not file.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        scope = Scope(all_units=True, all_officials=True, can_manage=True)
        validate, apply = ((parsing.units_validate, services.units_apply) if units
                           else (parsing.roster_validate, services.roster_apply))
        if import_running():
            raise CommandError(str(BUSY))
        preview = False
        try:
            frame = parsing.read_table(file.read_bytes(), file.name)
            for warning in frame.attrs.get("warnings", []):
                self.stdout.write(self.style.WARNING(warning))
            preview = bool(frame.attrs.get("legacy_encoding")) and not encoding_checked and not dry_run
            if preview:  # converted names are shown before they are written, as on the page
                dry_run = True
                for row, column, before, after in frame.attrs.get("legacy_samples", []):
                    self.stdout.write(f"Dòng {row}, cột {column}: “{before}” → “{after}”")
            rows, errors = validate(frame, scope=scope)
        except parsing.ImportRefused as refused:
            errors = refused.errors
        if errors:
            for e in errors[:200]:
                self.stderr.write(str(e))
            raise CommandError(f"Tệp bị từ chối: {len(errors)} lỗi; không có dòng nào được nhập.")
        try:
            # The same writing as the page and the API: roster_apply tells the LMS once the import is committed;
            # a dry run writes and rolls back, so that it lists exactly what the import would change.
            result = import_apply(apply, rows, by=None, dry_run=dry_run)
        except IntegrityError:
            raise CommandError("Một lần nhập khác hoặc một thay đổi khác đã ghi cùng cán bộ trong lúc ghi tệp này; "
                               "không có dòng nào được nhập. Hãy chạy lại lệnh.")
        for change in result.changes[:MAX_CHANGES_SHOWN]:
            self.stdout.write("Dòng {row}, mã {code}, {field}: {old} → {new}".format(**change))
        if len(result.changes) > MAX_CHANGES_SHOWN:
            self.stdout.write(f"… và {len(result.changes) - MAX_CHANGES_SHOWN} thay đổi khác.")
        counts = (f"{result.rows} dòng: {result.created} mới, {result.updated} cập nhật, "
                  f"{result.transferred} chuyển đơn vị, {result.unchanged} không đổi")
        if dry_run:
            self.stdout.write(f"Hợp lệ: {len(rows)} dòng (chạy thử, chưa ghi). Nếu nhập: {counts}.")
            if preview:
                self.stdout.write(self.style.WARNING(
                    "Tệp dùng bảng mã cũ nên chưa được ghi. Kiểm tra các tên đã chuyển mã ở trên; nếu đúng, chạy lại "
                    "lệnh với --encoding-checked để nhập."))
            return
        self.stdout.write(self.style.SUCCESS(f"Đã nhập {counts}."))
