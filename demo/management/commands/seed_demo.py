"""`manage.py seed_demo`: each app's own demo module, in the order of the layers (org, content, exams, lms), then
the search index and the demo logins."""
from django.conf import settings
from django.core.management.base import BaseCommand

from content import demo as content_demo
from content import search
from exams import demo as exams_demo
from lms import demo as lms_demo
from org import demo as org_demo


class Command(BaseCommand):
    help = "Load Đồng Nai's 2020 unit tree, departments, synthetic officials and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=org_demo.DEFAULT_OFFICIALS,
                            help=f"How many synthetic officials (default {org_demo.DEFAULT_OFFICIALS}; "
                                 f"{org_demo.HEADCOUNT_2019} is the province's 2019 headcount).")
        parser.add_argument("--reset", action="store_true", help="Delete the roster and unit tree first.")

    def handle(self, *args, officials, reset, **options):
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
            self.stdout.write(f"Đã tạo {len(units)} đơn vị.")
            n = org_demo.seed_officials(officials)
            self.stdout.write(f"Đã tạo {n} cán bộ, công chức, viên chức.")
            org_demo.seed_accounts()
        content_demo.seed_site()
        counts = content_demo.seed_content()
        if counts:
            self.stdout.write("Đã tạo nội dung mẫu: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        exams_demo.seed_exam()
        lms_counts = lms_demo.seed_lms()
        if lms_counts:
            self.stdout.write("Đã tạo yêu cầu học tập mẫu: " + ", ".join(f"{k} {v}" for k, v in lms_counts.items()))
        search.reindex_all()
        self.print_logins()

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản dùng thử (mật khẩu chung: %s)" % settings.DEMO_PASSWORD))
        for account in org_demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {account.role} — {account.note}")
