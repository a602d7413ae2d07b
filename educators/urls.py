"""Pages of the educators app outside allauth's own."""

from django.urls import path

from educators import view_as, views

app_name = "educators"

urlpatterns = [
    path("two-factor-enrolment/<str:token>/", views.enrolment_link, name="enrolment_link"),
    path("view-as/", view_as.view_as_start, name="view_as_start"),
    path("view-as/stop/", view_as.view_as_stop, name="view_as_stop"),
]
