from django.contrib.auth.backends import ModelBackend

from .models import Official


class EmployeeCodeBackend(ModelBackend):
    """Lets an official sign in with their employee code as well as their username or e-mail."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        official = Official.objects.select_related("user").filter(employee_code__iexact=username.strip()).first()
        if official is None:
            return None
        user = official.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
