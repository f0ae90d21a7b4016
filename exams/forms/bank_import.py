"""A question-bank file to import into a topic (GIFT, Aiken, Moodle XML or the Excel template)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Topic

BANK_FILE_MAX_BYTES = 10 * 1024 * 1024


class BankImportForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Import into topic"), queryset=Topic.objects.none(), required=False,
                                   empty_label=_("— a new topic —"))
    new_topic = forms.CharField(label=_("New topic name"), max_length=255, required=False)
    file = forms.FileField(label=_("File (.xlsx, .gift, .txt or .xml)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.gift,.txt,.xml"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.order_by("path")
        self.fields["topic"].label_from_instance = lambda t: ("— " * (t.path.count("/") - 2)) + t.name

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > BANK_FILE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB; split the bank into several files.")
                                        % {"mb": BANK_FILE_MAX_BYTES // (1024 * 1024)})
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("topic") and not (data.get("new_topic") or "").strip():
            self.add_error("new_topic", _("Choose a topic or give a name for a new one."))
        return data
