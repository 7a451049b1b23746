"""Generic list / detail / edit / delete / import views every module's pages are made of (NetBox's pattern).

Each view starts from ``Model.objects.restrict(user, action)`` narrowed to the current programme, so scope is
enforced by the same code on every page. List views name a ``table`` (declared in the app's ``tables.py``, see
``core.tables``); other views set ``model``, ``fields``, ``form_class`` and so on; the templates under ``core/``
render any model.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from cuntong.audit.changelog import history_of
from cuntong.audit.services import log_event
from cuntong.core import freshness, panels
from cuntong.core.export import xlsx_response
from cuntong.core.importer import IMPORTERS, limit, megabytes
from cuntong.core.public import public_view
from cuntong.core.scoping import is_permitted, permission_name
from cuntong.core.tables import Col, Table
from cuntong.core.tables import value_of as _value


class ScopedViewMixin(LoginRequiredMixin):
    """Permission for the action, then the restricted queryset; 403 without permission, 404 outside scope."""

    model = None
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(permission_name(self.model, self.action)):
            raise PermissionDenied(_("您没有该操作的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = self.model.objects.restrict(self.request.user, self.action).in_programme(self.request.programme)
        return self.optimise(queryset)

    def optimise(self, queryset):
        """select_related / prefetch for what the page shows (list pages pin their query counts in tests)."""
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        user = self.request.user
        context.update(
            opts=opts,
            model_name=opts.verbose_name,
            model_name_plural=opts.verbose_name_plural,
            can_add=user.has_perm(permission_name(self.model, "add")),
            can_change=user.has_perm(permission_name(self.model, "change")),
            can_delete=user.has_perm(permission_name(self.model, "delete")),
        )
        return context


class ObjectListView(ScopedViewMixin, generic.ListView):
    """A table's rows (``table``, from the app's ``tables.py``): filtered, sorted by the keys the table whitelists,
    paginated, as an htmx partial when asked, and as XLSX with ``?export=xlsx``. ``model`` is the table's."""

    table: type[Table] | None = None
    filterset_class = None
    paginate_by = 50
    template_name = "core/object_list.html"
    table_template = "core/_object_table.html"
    add_url_name: str | None = None
    import_name: str | None = None
    export_filename: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.table is not None and cls.model is None:
            cls.model = cls.table.model()

    def get_queryset(self):
        queryset = self.table.prepare(super().get_queryset())
        self.filterset = (
            self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
            if self.filterset_class
            else None
        )
        if self.filterset is not None:
            queryset = self.filterset.qs
        return self.table.sort(queryset, self.request.GET.get("sort", ""))

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.table_template]
        return super().get_template_names()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        queryset = self.get_queryset()
        count = queryset.count()
        log_event("export", obj=None, model=self.model._meta.label, rows=count, query=self.request.GET.urlencode())
        name = self.export_filename or f"{self.model._meta.verbose_name_plural}.xlsx"
        table = self.table.export_table()
        return xlsx_response(
            name, [(str(self.model._meta.verbose_name_plural), table.headers(), table.values(queryset))]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            columns=self.table.columns,
            rows=self.table.rows(context["object_list"]),
            filterset=self.filterset,
            add_url=reverse(self.add_url_name) if self.add_url_name and context["can_add"] else None,
            import_url=reverse("web:import", args=[self.import_name])
            if self.import_name and context["can_add"]
            else None,
            querystring=query.urlencode(),
            current_sort=self.request.GET.get("sort", ""),
            table_template=self.table_template,
        )
        return context


class ObjectDetailView(ScopedViewMixin, generic.DetailView):
    template_name = "core/object_detail.html"
    fields: tuple[Col, ...] = ()
    edit_url_name: str | None = None
    delete_url_name: str | None = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        user = self.request.user
        values = [(c, _value(obj, c.accessor)) for c in self.fields]
        context["fields"] = [(c, v) for c, v in values if not (c.hide_empty and v in (None, ""))]
        context["edit_url"] = (
            reverse(self.edit_url_name, args=[obj.pk])
            if self.edit_url_name and is_permitted(user, "change", obj)
            else None
        )
        context["delete_url"] = (
            reverse(self.delete_url_name, args=[obj.pk])
            if self.delete_url_name and is_permitted(user, "delete", obj)
            else None
        )
        context["history"] = history_of(obj)[:20] if user.has_perm("audit.view_changerecord") else None
        return context


class ObjectEditView(ScopedViewMixin, generic.UpdateView):
    """Create (no pk) or update; the save runs in a transaction and is undone if the result leaves the user's scope."""

    action = "change"
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            self.action = "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        if "pk" not in self.kwargs:
            return None
        return super().get_object(queryset)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["programme"] = self.request.programme
        return kwargs

    def save(self, form):
        """Apply the form through the module's service; the default saves the model form."""
        instance = form.save(commit=False)
        try:
            self.model._meta.get_field("programme")
            if not instance.programme_id:
                instance.programme = self.request.programme
        except FieldDoesNotExist:
            pass
        instance.save()
        form.save_m2m()
        return instance

    def form_valid(self, form):
        with transaction.atomic():
            self.object = self.save(form)
            if not is_permitted(self.request.user, self.action, self.object):
                transaction.set_rollback(True)
                raise PermissionDenied(_("保存后的记录超出了您的管辖范围。"))
            freshness.bump_for(self.object, self.request)
        messages.success(self.request, _("已保存：%(obj)s") % {"obj": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return self.object.get_absolute_url()


class StillReferenced(Exception):
    """A record other records still point at (a course with its sessions): deleting it would break them."""


def delete_record(instance, request) -> None:
    """Delete ``instance`` for a generic page or endpoint; refused with :class:`StillReferenced` (naming how many
    records hold it) rather than failing when protected references remain."""
    try:
        with transaction.atomic():
            instance.delete()
            freshness.bump_for(instance, request)
    except (ProtectedError, RestrictedError) as exc:
        held = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ()
        raise StillReferenced(
            _("“%(obj)s”仍被 %(n)d 条记录引用，不能删除；请先处理引用它的记录。") % {"obj": instance, "n": len(held)}
        ) from exc


class ObjectDeleteView(ScopedViewMixin, generic.DeleteView):
    action = "delete"
    template_name = "core/object_delete.html"
    success_url_name: str = "home"

    def form_valid(self, form):
        name = str(self.object)
        try:
            delete_record(self.object, self.request)
        except StillReferenced as exc:
            messages.error(self.request, str(exc))
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, _("已删除：%(obj)s") % {"obj": name})
        return redirect(self.success_url_name)


class ObjectHistoryView(ScopedViewMixin, generic.DetailView):
    """Every change of one record: who, when, before and after."""

    template_name = "core/object_history.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("audit.view_changerecord"):
            raise PermissionDenied(_("您没有查看变更记录的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = history_of(self.object)
        return context


def get_permitted_or_404(user, model, action: str, **lookup):
    return get_object_or_404(model.objects.restrict(user, action), **lookup)


@login_required
def panel_content(request, label: str, pk: int, panel: str):
    """One registered panel of one record (a tab's content, fetched with htmx): 404 unless the record lies in the
    user's scope as on its detail page and the panel shows for them; a whole page when opened without htmx."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not hasattr(model.objects, "restrict"):
        raise Http404
    obj = get_object_or_404(model.objects.restrict(request.user, "view").in_programme(request.programme), pk=pk)
    found = panels.find(model, panel)
    call = panels.PanelCall(obj, request)
    if found is None or not found.shows_for(call):
        raise Http404
    context = {"object": obj, "panel": found, "html": found.render(call)}
    if getattr(request, "htmx", False):
        return render(request, "core/_panel_body.html", context)
    return render(request, "core/panel_page.html", context)


class ImportView(LoginRequiredMixin, generic.FormView):
    """Upload a file for a registered importer; it runs as a background job and the job page shows the report."""

    template_name = "core/import.html"

    def dispatch(self, request, *args, **kwargs):
        self.importer = IMPORTERS.get(kwargs["name"])
        if self.importer is None:
            raise Http404
        model = getattr(self.importer, "model", None)
        if (
            request.user.is_authenticated
            and model is not None
            and not request.user.has_perm(permission_name(model, "add"))
        ):
            raise PermissionDenied(_("您没有导入该数据的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        from cuntong.core.forms import ImportForm

        return ImportForm

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "xlsx":
            return xlsx_response(
                f"{self.kwargs['name']}-template.xlsx", [(self.kwargs["name"], self.importer.template_headers(), [])]
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["importer"] = self.importer
        context["columns"] = self.importer.columns
        context["max_upload"] = megabytes(limit("IMPORT_MAX_UPLOAD_BYTES"))
        return context

    def form_valid(self, form):
        import uuid

        from django.core.files.storage import default_storage

        from cuntong.jobs.services import start

        upload = form.cleaned_data["file"]
        # Stored under a name the server chooses; the uploader's name only labels the job and picks the parser.
        path = default_storage.save(f"imports/{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}", upload)
        job = start(
            "core.import",
            title=_("导入 %(what)s：%(file)s") % {"what": self.importer.title, "file": upload.name},
            user=self.request.user,
            programme=self.request.programme or None,
            params={
                "importer": self.kwargs["name"],
                "path": path,
                "filename": upload.name,
                "valid_only": form.cleaned_data["valid_only"],
                "check_only": form.cleaned_data["check_only"],
                "user_id": self.request.user.pk,
                "programme_id": getattr(self.request.programme, "pk", None),
            },
        )
        return redirect(job.get_absolute_url())


@public_view(reason="browsers ask every site for /favicon.ico: the site's icon", cache_seconds=3600)
def favicon(request):
    return HttpResponse(_favicon(), content_type="image/svg+xml")


@functools.cache
def _favicon() -> bytes:
    return Path(finders.find("cuntong/favicon.svg")).read_bytes()
