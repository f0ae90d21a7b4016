"""The benchmark's floor: a bare view doing the same database write as the autosave endpoint (to be filled in)."""
urlpatterns = []
