from django.http import HttpResponseNotFound
from django.shortcuts import render
from django.urls import path

from deputies.models import Deputy


def floor(request, deputy_token: str):
    deputy = Deputy.objects.filter(public_token=deputy_token).only("name", "public_token").first()
    if deputy is None:
        # Plain: the portal's 404 page reverses URLs this floor site does not have.
        return HttpResponseNotFound()
    return render(request, "public/benchfloor.html", {"deputy": deputy})


urlpatterns = [path("floor/<str:deputy_token>/", floor, name="floor")]
