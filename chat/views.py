from django.shortcuts import render

from documents.selectors import categories_for_home


def home(request):
    return render(request, "chat/home.html", {"categories": categories_for_home()})
