"""Forms for documents on a case. The checks of the file live in the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DocumentKind

# The extensions of the allow-list (cases.services.documents.DOCUMENT_KINDS): a hint to the
# browser's file picker, not a check.
_ACCEPT = ".pdf,.docx,.odt,.jpg,.jpeg,.png"


class DocumentVersionForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), OpenDocument text (.odt), JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    confidential = forms.BooleanField(
        label=_("Confidential: for the case team only"),
        required=False,
        help_text=_("Organisations the case is shared with do not see a confidential document."),
    )
    file = DocumentVersionForm.base_fields["file"]
