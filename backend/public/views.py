"""Public pages (being written)."""

from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError


def landing(request, token):
    return HttpResponse("")


def page_not_found(request, exception):
    return HttpResponseNotFound("")


def server_error(request):
    return HttpResponseServerError("")
