import os
from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from cuntong.programme import views as programme_views
from cuntong.web import views as web_views

handler400 = "cuntong.web.api.bad_request"
handler404 = "cuntong.web.api.not_found"

urlpatterns = [
    path("", programme_views.overview, name="home"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("public/<slug:code>/", programme_views.portal, name="portal"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("cuntong.api_urls")),
    path("admin/", admin.site.urls),
    path("", include("cuntong.web.urls")),
]

# Each app with a urls.py is mounted under its label: /geo/, /programme/, /stations/ …
for config in apps.get_app_configs():
    if config.name.startswith("cuntong.") and config.label != "web":
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        urlpatterns.append(path(f"{config.label}/", include(f"{config.name}.urls")))

# `make bench` measures pages against this: the same middleware stack, no work.
if os.environ.get("CUNTONG_BENCH_TRIVIAL_VIEW") == "1":
    urlpatterns.insert(0, path("bench/trivial/", lambda request: HttpResponse("ok"), name="bench-trivial"))
