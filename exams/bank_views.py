"""Question-bank pages for trainers beyond the import: single-question editing, Excel template, export."""
urlpatterns = []
