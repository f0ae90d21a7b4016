"""`manage.py seed_demo`: each app's own demo module, in the order of the layers (org, content, exams, lms), then
the 2025 reform applied over the years of learning, the search index and the demo logins."""
import datetime as dt

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from content import demo as content_demo
from content import search
from exams import demo as exams_demo
from lms import demo as lms_demo
from org import demo as org_demo


class Command(BaseCommand):
    help = ("Load Đồng Nai's history since 2020 (its 2020 unit tree, the 2021 and 2024 changes, Bình Phước, the 2025 "
            "reform), synthetic officials, learning dated across those years and the demo accounts.")

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=org_demo.DEFAULT_OFFICIALS,
                            help=f"How many synthetic officials in Đồng Nai (default {org_demo.DEFAULT_OFFICIALS}; "
                                 f"{org_demo.HEADCOUNT_2019} is the province's 2019 headcount); Bình Phước gets a "
                                 f"quarter as many.")
        parser.add_argument("--reset", action="store_true", help="Delete the roster and unit tree first.")
        parser.add_argument("--until", default="",
                            help="Build the history only up to this date (YYYY-MM-DD): e.g. 2025-06-30 leaves the "
                                 "2025 reform as a draft, to preview and apply on screen.")

    def handle(self, *args, officials, reset, until, **options):
        try:
            until = dt.date.fromisoformat(until) if until else None
        except ValueError:
            raise CommandError("--until: ngày không hợp lệ (dạng YYYY-MM-DD).")
        if until is not None and until < org_demo.REARRANGEMENT_DATE:
            raise CommandError("--until: chọn một ngày từ 01/11/2024 trở đi.")
        if reset:
            # From the top layer down: each app removes what points at the layer below it.
            from reports.models import CoverageSnapshot, ExportJob

            CoverageSnapshot.objects.all().delete()
            ExportJob.objects.all().delete()
            lms_demo.reset()
            exams_demo.reset()
            org_demo.reset()
        if org_demo.is_seeded():
            self.stdout.write("Dữ liệu mẫu đã có sẵn; bỏ qua (dùng --reset để nạp lại).")
        else:
            units = org_demo.seed_units()
            units.update(org_demo.seed_binh_phuoc_units())
            self.stdout.write(f"Đã tạo {len(units)} đơn vị (Đồng Nai năm 2020 và Bình Phước).")
            n = org_demo.seed_officials(officials)
            m = org_demo.seed_binh_phuoc_officials(officials // org_demo.BINH_PHUOC_SHARE)
            self.stdout.write(f"Đã tạo {n} cán bộ, công chức, viên chức Đồng Nai và {m} Bình Phước.")
            org_demo.seed_accounts()
            for step in (org_demo.seed_long_giao, org_demo.seed_rearrangement_2024):
                r = step()
                self.stdout.write(f"Đã áp dụng “{r.title}” từ {r.effective_date:%d/%m/%Y}.")
        content_demo.seed_site()
        counts = content_demo.seed_content()
        if counts:
            self.stdout.write("Đã tạo nội dung mẫu: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        exams_demo.seed_exam()
        lms_counts = lms_demo.seed_lms()
        if lms_counts:
            self.stdout.write("Đã tạo yêu cầu học tập mẫu: " + ", ".join(f"{k} {v}" for k, v in lms_counts.items()))
        # The personnel officers concerned are told by e-mail; the demo keeps those messages rather than print them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            sent = len(getattr(mail, "outbox", []))
            reform = org_demo.seed_reform_2025(apply=until is None or until >= org_demo.REFORM_DATE)
            sent = len(getattr(mail, "outbox", [])) - sent
        if reform.status == reform.Status.APPLIED:
            self.stdout.write(f"Đã áp dụng “{reform.title}” từ {reform.effective_date:%d/%m/%Y}"
                              f" ({sent} thư báo cho cán bộ tổ chức).")
            if until is None:
                hired = org_demo.seed_newcomers(max(10, officials // 100))
                if hired:
                    started = lms_demo.seed_newcomers(hired)
                    self.stdout.write(f"Đã tuyển mới {len(hired)} công chức ({started} đã bắt đầu học).")
        else:
            self.stdout.write(f"“{reform.title}” để ở dạng dự thảo: xem trước và áp dụng tại trang Tổ chức lại.")
        made = exams_demo.seed_session()
        if made:
            self.stdout.write(f"Đã tạo kỳ sát hạch mẫu: {made['candidates']} thí sinh, {made['rooms']} phòng × "
                              f"{made['shifts']} ca.")
        search.reindex_all()
        self.print_logins()

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản dùng thử (mật khẩu chung: %s)" % settings.DEMO_PASSWORD))
        for account in org_demo.demo_accounts():
            self.stdout.write(f"  {account.username:<10} {account.role} — {account.note}")
        from django.contrib.auth import get_user_model

        if get_user_model().objects.filter(username=exams_demo.SUPERVISOR).exists():
            self.stdout.write(f"  {exams_demo.SUPERVISOR:<10} Giám thị — phòng A và B của “{exams_demo.SESSION_TITLE}” "
                              "(điểm danh, mở ca thi, ghi sự việc, in biên bản)")
