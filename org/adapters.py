from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the roster, so nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False
