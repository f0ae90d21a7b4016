"""Trainers' grading pages: essay queue, regrade, results by grading method."""
urlpatterns = []
