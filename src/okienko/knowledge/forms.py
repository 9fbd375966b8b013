from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okienko.accounts.roles import Role
from okienko.knowledge.models import Article, Topic


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the knowledge base"), required=False, max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("all kinds")), *Article.Kind.choices])
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("all topics"),
    )


class ArticleForm(forms.ModelForm[Article]):
    tags_text = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    roles = forms.MultipleChoiceField(
        label=_("Roles allowed to read"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for the audience “selected roles only”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "kind",
            "audience",
            "language",
            "translation_of",
            "topic",
            "question",
            "summary",
            "body",
            "required_documents",
            "fees",
            "deadlines",
            "where_how",
            "attribution",
            "legal_basis",
            "important",
            "publish_at",
            "unpublish_at",
            "valid_from",
            "valid_until",
            "review_by",
            "services",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "required_documents": forms.Textarea(attrs={"rows": 4}),
            "fees": forms.Textarea(attrs={"rows": 3}),
            "deadlines": forms.Textarea(attrs={"rows": 3}),
            "where_how": forms.Textarea(attrs={"rows": 4}),
            "attribution": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "unpublish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "body": _("HTML: paragraphs, lists, headings, links, tables. Scripts and styles are removed."),
            "slug": _("The address of the article; leave empty to make it from the title."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(self.instance.tags)
            self.fields["roles"].initial = self.instance.roles
            self.fields["version"].initial = self.instance.version
            self.fields["translation_of"].queryset = Article.objects.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]  # a ModelChoiceField (the model form built it)

    def article_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "services"}
        data["tags"] = [t.strip() for t in self.cleaned_data.get("tags_text", "").split(",") if t.strip()]
        roles = self.cleaned_data.get("roles") or []
        data["allowed_roles"] = "," + ",".join(roles) + "," if roles else ""
        return data


class ProposalForm(forms.Form):
    question = forms.CharField(label=_("Question, or what is wrong"), max_length=500)
    answer = forms.CharField(
        label=_("Proposed answer or correction"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class SynonymForm(forms.Form):
    phrase = forms.CharField(label=_("Word or phrase people use"), max_length=100)
    expansion = forms.CharField(label=_("Also search for"), max_length=200)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What was missing? (optional, do not give personal data)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title shown to readers"),
        max_length=200,
        required=False,
        help_text=_("For example “Application form (PDF)”. Left empty, the file name is used."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, text and office documents (DOCX, XLSX, ODT)."),
    )
