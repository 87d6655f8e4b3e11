"""Public pages: the consortium, its institutions, work groups and projects."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "network/home.html", {})


def institution_list(request: HttpRequest) -> HttpResponse:
    return render(request, "network/home.html", {})


def institution_detail(request: HttpRequest, schac: str) -> HttpResponse:
    return render(request, "network/home.html", {})


def consortium_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "network/home.html", {})


def work_group_detail(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    return render(request, "network/home.html", {})


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "network/home.html", {})
