"""A one-file Django project (its MultiPartParser: ``request.POST`` and ``request.FILES``) on
Django's own threaded WSGI server (what ``runserver`` runs), for the matrix.

python django_app.py PORT STORAGE
"""

from __future__ import annotations

import sys
from pathlib import Path

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path as route
from storing import PATH_FIELD, describe, store

STORAGE = Path(sys.argv[2]) if __name__ == "__main__" else Path(".")


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"error": "no file part"}, status=400)
    form = {key: request.POST[key] for key in request.POST}
    name = form.get(PATH_FIELD) or file.name or ""
    stored = store(STORAGE, name, file)
    if stored is None:
        return JsonResponse({"error": f"unsafe name {name!r}"}, status=400)
    return JsonResponse(describe(filename=file.name, form=form, stored=name, path=stored), status=201)


urlpatterns = [route("ping", ping), route("upload", upload)]


if __name__ == "__main__":
    port = int(sys.argv[1])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="skylift-matrix",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        FILE_UPLOAD_TEMP_DIR=str(STORAGE.parent),
    )
    django.setup()
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    run("127.0.0.1", port, get_wsgi_application(), threading=True)
