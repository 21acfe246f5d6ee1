from django.http import HttpResponse


def cycle_page(request, cycle_token):
    return HttpResponse("")
