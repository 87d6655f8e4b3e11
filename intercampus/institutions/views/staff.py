from django.http import HttpResponse

from intercampus.core.permissions import staff_view


@staff_view("institutions.change_profile")
def profile(request):
    return HttpResponse("TODO")


@staff_view("institutions.manage_units")
def units(request):
    return HttpResponse("TODO")


@staff_view("institutions.manage_headcounts")
def headcounts(request):
    return HttpResponse("TODO")


@staff_view("institutions.manage_people")
def people(request):
    return HttpResponse("TODO")
