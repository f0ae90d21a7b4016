from django.conf import settings
from django.core.management.base import BaseCommand

from org import demo


class Command(BaseCommand):
    help = "Load Đồng Nai's 2020 unit tree, departments, synthetic officials and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=demo.DEFAULT_OFFICIALS,
                            help=f"How many synthetic officials (default {demo.DEFAULT_OFFICIALS}; "
                                 f"{demo.HEADCOUNT_2019} is the province's 2019 headcount).")
        parser.add_argument("--reset", action="store_true", help="Delete the roster and unit tree first.")

    def handle(self, *args, officials, reset, **options):
        if reset:
            demo.reset()
        if demo.is_seeded():
            self.stdout.write("Dữ liệu mẫu đã có sẵn; bỏ qua (dùng --reset để nạp lại).")
        else:
            units = demo.seed_units()
            self.stdout.write(f"Đã tạo {len(units)} đơn vị.")
            n = demo.seed_officials(officials)
            self.stdout.write(f"Đã tạo {n} cán bộ, công chức, viên chức.")
            demo.seed_accounts()
        demo.seed_site()
        from content import search, services as content_services

        counts = content_services.demo_content_load()
        if counts:
            self.stdout.write("Đã tạo nội dung mẫu: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        content_services.content_permissions_setup()
        demo.seed_exam()
        from exams.services import exam_permissions_setup

        exam_permissions_setup()
        from lms import demo as lms_demo

        lms_counts = lms_demo.seed_lms()
        if lms_counts:
            self.stdout.write("Đã tạo yêu cầu học tập mẫu: " + ", ".join(f"{k} {v}" for k, v in lms_counts.items()))
        search.reindex_all()
        self.print_logins()

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản dùng thử (mật khẩu chung: %s)" % settings.DEMO_PASSWORD))
        for account in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {account.role} — {account.note}")
