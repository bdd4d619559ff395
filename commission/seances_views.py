from django.shortcuts import get_object_or_404, render

from commission.access import seances_visible_to


def seance_detail(request, pk):
    seance = get_object_or_404(seances_visible_to(request.user).select_related("commission"), pk=pk)
    return render(request, "commission/seance_detail.html", {"seance": seance})
