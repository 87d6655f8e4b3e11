from django.http import HttpResponse

from intercampus.core.permissions import staff_view


@staff_view("network.manage_consortium")
def consortium(request, slug):
    return HttpResponse("TODO")


@staff_view("network.manage_consortium")
def work_groups(request, slug):
    return HttpResponse("TODO")


@staff_view("network.manage_consortium")
def projects(request, slug):
    return HttpResponse("TODO")


@staff_view("network.manage_work_group")
def work_group(request, consortium, group):
    return HttpResponse("TODO")
