from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def cycle_list(request):
    return HttpResponse("")


@login_required
def cycle_detail(request, cycle_pk):
    return HttpResponse("")


@login_required
def project_detail(request, project_pk):
    return HttpResponse("")
