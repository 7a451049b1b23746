"""Options of a searching choice field (core.forms.AutocompleteSelect), for htmx: ``/web/choices/<form>/<field>/``.

The endpoint builds the very form or filter set the page shows, for the same user and current programme, and searches
that field's choices: the options offered are exactly those the form accepts, narrowed to the reader's scope and the
programme by the same code (``core.forms.scope_choices``). A form that is not a scoped form, a field that does not
search, or a reader who may view none of the model answers 404 or 403 before any search."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from cuntong.core.forms import AutocompleteSelect, choice_source, empty_label, search_choices
from cuntong.core.scoping import scope_filter

LIMIT = AutocompleteSelect.match_limit


@require_GET
@login_required
def choices(request, source: str, field: str):
    form_class = choice_source(source)
    if form_class is None:
        raise Http404
    try:
        form = form_class.for_choices(request)
    except (TypeError, KeyError, AttributeError):  # a form that needs more than the user and programme to be built
        raise Http404 from None
    choice = form.fields.get(field)
    if choice is None or not isinstance(choice.widget, AutocompleteSelect):
        raise Http404
    if scope_filter(choice.queryset.model, request.user, "view") is None:
        raise PermissionDenied
    name = request.GET.get("name", field)
    text = (request.GET.get(f"{name}_q") or "").strip()[:64]
    chosen = request.GET.get(name, "")
    key = choice.to_field_name or "pk"
    rows = []
    if chosen:
        try:
            rows = list(choice.queryset.filter(**{key: chosen}))
        except (ValueError, TypeError):
            rows = []
    seen = {row.pk for row in rows}
    if text:
        rows += [row for row in search_choices(choice.queryset, text)[:LIMIT] if row.pk not in seen]
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (
                choice.prepare_value(row),
                " selected" if str(choice.prepare_value(row)) == chosen else "",
                choice.label_from_instance(row),
            )
            for row in rows
        ),
    )
    first = format_html('<option value="">{}</option>', empty_label(len(rows) - len(seen), bool(text)))
    return HttpResponse(first + options)
