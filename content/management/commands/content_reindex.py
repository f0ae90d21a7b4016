from django.core.management.base import BaseCommand

from content.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the diacritic-insensitive search index from every published page."

    def handle(self, *args, **options):
        self.stdout.write(f"Đã lập chỉ mục {reindex_all()} trang.")
